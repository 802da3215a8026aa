package sqlstore

import (
	"context"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const sessionCols = `id, account_id, created_at, last_seen_at, expires_at, ended_at, user_agent, ip`

func scanSession(s scanner) (*domain.Session, error) {
	var x domain.Session
	err := s.Scan(&x.ID, &x.AccountID, timeCol{&x.CreatedAt}, timeCol{&x.LastSeenAt},
		timeCol{&x.ExpiresAt}, nullTimeCol{&x.EndedAt}, &x.UserAgent, &x.IP)
	if err != nil {
		return nil, err
	}
	return &x, nil
}

// CreateSession inserts s; ECONFLICT when its id exists.
func (db *DB) CreateSession(ctx context.Context, s *domain.Session) error {
	_, err := db.exec(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.AccountID, db.d.time(s.CreatedAt), db.d.time(s.LastSeenAt), db.d.time(s.ExpiresAt),
		db.d.nullTime(s.EndedAt), s.UserAgent, s.IP)
	return wrap(err, "create session", "session")
}

// SessionByID returns the session, ended or not; ENOTFOUND when there is none.
func (db *DB) SessionByID(ctx context.Context, id string) (*domain.Session, error) {
	s, err := scanSession(db.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id))
	return s, wrap(err, "session by id", "session")
}

// TouchSession sets LastSeenAt to now; ENOTFOUND when there is no session.
func (db *DB) TouchSession(ctx context.Context, id string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, db.d.time(now), id)
	return notFoundUnless(res, err, "touch session", "session")
}

// EndSession sets EndedAt to now unless it is already set; ENOTFOUND when
// there is no session.
func (db *DB) EndSession(ctx context.Context, id string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE sessions SET ended_at = COALESCE(ended_at, ?) WHERE id = ?`,
		db.d.time(now), id)
	return notFoundUnless(res, err, "end session", "session")
}

// EndAccountSessions ends every open session of the account except
// exceptID ("" for none) and returns the ids it ended.
func (db *DB) EndAccountSessions(ctx context.Context, accountID, exceptID string, now time.Time) ([]string, error) {
	rows, err := db.queryWrite(ctx, `UPDATE sessions SET ended_at = ?
		WHERE account_id = ? AND id <> ? AND ended_at IS NULL
		RETURNING id`, db.d.time(now), accountID, exceptID)
	if err != nil {
		return nil, wrap(err, "end account sessions", "session")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap(err, "end account sessions", "session")
		}
		ids = append(ids, id)
	}
	return ids, wrap(rows.Err(), "end account sessions", "session")
}
