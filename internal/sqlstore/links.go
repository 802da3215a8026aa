package sqlstore

import (
	"context"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const linkCols = `digest, purpose, account_id, data, created_at, expires_at, used_at`

func scanLink(s scanner) (*domain.Link, error) {
	var l domain.Link
	err := s.Scan(&l.Digest, &l.Purpose, &l.AccountID, &l.Data,
		timeCol{&l.CreatedAt}, timeCol{&l.ExpiresAt}, nullTimeCol{&l.UsedAt})
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// CreateLink inserts l; ECONFLICT when its digest exists.
func (db *DB) CreateLink(ctx context.Context, l *domain.Link) error {
	_, err := db.exec(ctx, `INSERT INTO links (`+linkCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		l.Digest, l.Purpose, l.AccountID, l.Data,
		db.d.time(l.CreatedAt), db.d.time(l.ExpiresAt), db.d.nullTime(l.UsedAt))
	return wrap(err, "create link", "link")
}

// LinkByDigest returns the link, used or not; ENOTFOUND when there is none.
func (db *DB) LinkByDigest(ctx context.Context, digest string) (*domain.Link, error) {
	l, err := scanLink(db.queryRow(ctx, `SELECT `+linkCols+` FROM links WHERE digest = ?`, digest))
	return l, wrap(err, "link by digest", "link")
}

// UseLink marks the link used at now if it is unused and now is before
// its expiry, in one UPDATE; otherwise ENOTFOUND and nothing changes.
func (db *DB) UseLink(ctx context.Context, digest string, now time.Time) (*domain.Link, error) {
	l, err := scanLink(db.queryRowWrite(ctx, `UPDATE links SET used_at = ?
		WHERE digest = ? AND used_at IS NULL AND expires_at > ?
		RETURNING `+linkCols, db.d.time(now), digest, db.d.time(now)))
	return l, wrap(err, "use link", "link")
}

// VoidLinks marks every unused link of the account with the purpose (""
// for all) as used at now.
func (db *DB) VoidLinks(ctx context.Context, accountID, purpose string, now time.Time) error {
	q := `UPDATE links SET used_at = ? WHERE account_id = ? AND used_at IS NULL`
	args := []any{db.d.time(now), accountID}
	if purpose != "" {
		q += ` AND purpose = ?`
		args = append(args, purpose)
	}
	_, err := db.exec(ctx, q, args...)
	return wrap(err, "void links", "link")
}

// SwapLinkData sets the link's data to next in one UPDATE, only while it
// is unused, unexpired at now and its data is still prev; otherwise
// ENOTFOUND and nothing changes.
func (db *DB) SwapLinkData(ctx context.Context, digest, prev, next string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE links SET data = ?
		WHERE digest = ? AND data = ? AND used_at IS NULL AND expires_at > ?`,
		next, digest, prev, db.d.time(now))
	return notFoundUnless(res, err, "swap link data", "link")
}

// LatestLink returns the account's newest link with the purpose, used or
// not; ENOTFOUND when there is none. Links made in the same microsecond
// come in digest order, which is arbitrary but stable.
func (db *DB) LatestLink(ctx context.Context, accountID, purpose string) (*domain.Link, error) {
	l, err := scanLink(db.queryRow(ctx, `SELECT `+linkCols+` FROM links
		WHERE account_id = ? AND purpose = ? ORDER BY created_at DESC, digest DESC LIMIT 1`,
		accountID, purpose))
	return l, wrap(err, "latest link", "link")
}
