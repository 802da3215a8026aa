package sqlstore

import (
	"context"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// TryLease takes or renews the named lease for holder until now+ttl, in
// one atomic upsert: it succeeds when the lease is free, expired at now,
// or already held by holder; otherwise it reports false and changes
// nothing.
func (db *DB) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := db.exec(ctx, `INSERT INTO job_leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE job_leases.until <= ? OR job_leases.holder = excluded.holder`,
		name, holder, db.d.time(now.Add(ttl)), db.d.time(now))
	if err != nil {
		return false, wrap(err, "try lease", "lease")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap(err, "try lease", "lease")
	}
	return n == 1, nil
}

// AddPasswordHistory records a password hash the account has had.
func (db *DB) AddPasswordHistory(ctx context.Context, accountID, hash string, at time.Time) error {
	_, err := db.exec(ctx, `INSERT INTO password_history (account_id, password_hash, created_at) VALUES (?, ?, ?)`,
		accountID, hash, db.d.time(at))
	return wrap(err, "add password history", "password history")
}

// PasswordHistory returns the account's latest limit recorded hashes,
// newest first.
func (db *DB) PasswordHistory(ctx context.Context, accountID string, limit int) ([]string, error) {
	rows, err := db.query(ctx, `SELECT password_hash FROM password_history WHERE account_id = ?
		ORDER BY seq DESC LIMIT ?`, accountID, limit)
	if err != nil {
		return nil, wrap(err, "password history", "password history")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, wrap(err, "password history", "password history")
		}
		out = append(out, h)
	}
	return out, wrap(rows.Err(), "password history", "password history")
}

// ActiveAccounts returns up to limit active accounts with an id greater
// than afterID, in id order (a page of the sweeper's walk).
func (db *DB) ActiveAccounts(ctx context.Context, afterID string, limit int) ([]*domain.Account, error) {
	rows, err := db.query(ctx, `SELECT `+accountCols+` FROM accounts WHERE status = ? AND id > ?
		ORDER BY id LIMIT ?`, domain.StatusActive, afterID, limit)
	if err != nil {
		return nil, wrap(err, "active accounts", "account")
	}
	defer rows.Close()
	var out []*domain.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, wrap(err, "active accounts", "account")
		}
		out = append(out, a)
	}
	return out, wrap(rows.Err(), "active accounts", "account")
}

// MarkExpiryWarned sets ExpiryWarnedAt to now only when no warning was
// recorded for the current password (none, or one older than
// PasswordChangedAt), in one atomic update; it reports whether this call
// set it, so exactly one caller sends the warning.
func (db *DB) MarkExpiryWarned(ctx context.Context, accountID string, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE accounts SET expiry_warned_at = ?
		WHERE id = ? AND (expiry_warned_at IS NULL OR expiry_warned_at < password_changed_at)`,
		db.d.time(now), accountID)
	if err != nil {
		return false, wrap(err, "mark expiry warned", "account")
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(err, "mark expiry warned", "account")
}
