package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const logoutCols = `id, client_id, session_id, account_id, created_at, attempts, next_attempt_at,
	done_at, delivered, last_error`

func scanLogout(s scanner) (*domain.LogoutDelivery, error) {
	var d domain.LogoutDelivery
	err := s.Scan(&d.ID, &d.ClientID, &d.SessionID, &d.AccountID, timeCol{&d.CreatedAt}, &d.Attempts,
		timeCol{&d.NextAttemptAt}, nullTimeCol{&d.DoneAt}, &d.Delivered, &d.LastError)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// EnqueueLogout inserts d and sets d.ID. A notice for the same client and
// session already there wins: nothing is inserted, d.ID stays 0, and the
// error is nil. A zero NextAttemptAt means due at once.
func (db *DB) EnqueueLogout(ctx context.Context, d *domain.LogoutDelivery) error {
	next := d.NextAttemptAt
	if next.IsZero() {
		next = d.CreatedAt
	}
	var id int64
	err := db.InTx(ctx, func(s domain.Store) error {
		tx := s.(*DB)
		res, err := tx.exec(ctx, `INSERT INTO logout_deliveries (client_id, session_id, account_id, created_at,
				attempts, next_attempt_at, done_at, delivered, last_error)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id, session_id) DO NOTHING`,
			d.ClientID, d.SessionID, d.AccountID, db.d.time(d.CreatedAt), d.Attempts, db.d.time(next),
			db.d.nullTime(d.DoneAt), d.Delivered, d.LastError)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return tx.queryRow(ctx, `SELECT id FROM logout_deliveries WHERE client_id = ? AND session_id = ?`,
			d.ClientID, d.SessionID).Scan(&id)
	})
	if err != nil {
		return wrap(err, "enqueue logout", "logout delivery")
	}
	d.ID = id
	if id != 0 {
		d.NextAttemptAt = next
	}
	return nil
}

// ClaimLogouts takes up to limit undone notices due at now, oldest due
// first, and moves their NextAttemptAt to now+lease in the same
// transaction, so no other worker claims them until the lease ends
// (PostgreSQL skips rows another worker is claiming; SQLite has one
// writer at a time). The notices return in id order.
func (db *DB) ClaimLogouts(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*domain.LogoutDelivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	lock := ""
	if db.d.postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var ds []*domain.LogoutDelivery
	err := db.InTx(ctx, func(s domain.Store) error {
		tx := s.(*DB)
		rows, err := tx.query(ctx, `SELECT `+logoutCols+` FROM logout_deliveries
			WHERE done_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`+lock,
			db.d.time(now), limit)
		if err != nil {
			return err
		}
		if ds, err = scanLogouts(rows); err != nil {
			return err
		}
		until := now.Add(lease)
		for _, d := range ds {
			if _, err := tx.exec(ctx, `UPDATE logout_deliveries SET next_attempt_at = ? WHERE id = ?`,
				db.d.time(until), d.ID); err != nil {
				return err
			}
			d.NextAttemptAt = until
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "claim logouts", "logout delivery")
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return ds, nil
}

// MarkLogoutDone records that the notice was delivered (or given up,
// with reason) at now; ENOTFOUND when there is none.
func (db *DB) MarkLogoutDone(ctx context.Context, id int64, now time.Time, delivered bool, reason string) error {
	res, err := db.exec(ctx, `UPDATE logout_deliveries SET done_at = ?, delivered = ?, last_error = ?
		WHERE id = ?`, db.d.time(now), delivered, reason, id)
	return notFoundUnless(res, err, "mark logout done", "logout delivery")
}

// MarkLogoutFailed counts a failed attempt, keeps its reason and makes
// the notice due again at next; ENOTFOUND when there is none.
func (db *DB) MarkLogoutFailed(ctx context.Context, id int64, next time.Time, reason string) error {
	res, err := db.exec(ctx, `UPDATE logout_deliveries SET attempts = attempts + 1, next_attempt_at = ?,
		last_error = ? WHERE id = ?`, db.d.time(next), reason, id)
	return notFoundUnless(res, err, "mark logout failed", "logout delivery")
}

// LogoutsForSession returns the session's notices in id order.
func (db *DB) LogoutsForSession(ctx context.Context, sessionID string) ([]*domain.LogoutDelivery, error) {
	rows, err := db.query(ctx, `SELECT `+logoutCols+` FROM logout_deliveries WHERE session_id = ? ORDER BY id`,
		sessionID)
	if err != nil {
		return nil, wrap(err, "logouts for session", "logout delivery")
	}
	ds, err := scanLogouts(rows)
	return ds, wrap(err, "logouts for session", "logout delivery")
}

// DeleteLogoutsBefore removes notices done before t.
func (db *DB) DeleteLogoutsBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM logout_deliveries WHERE done_at IS NOT NULL AND done_at < ?`, db.d.time(t))
	if err != nil {
		return 0, wrap(err, "delete logouts", "logout delivery")
	}
	n, err := res.RowsAffected()
	return int(n), wrap(err, "delete logouts", "logout delivery")
}

func scanLogouts(rows *sql.Rows) ([]*domain.LogoutDelivery, error) {
	defer rows.Close()
	var ds []*domain.LogoutDelivery
	for rows.Next() {
		d, err := scanLogout(rows)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}
