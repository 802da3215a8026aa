package sqlstore

import (
	"context"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const tokenCols = `id, kind, family_id, auth_request_id, account_id, client_id, session_id,
	scopes, audience, auth_time, amr, created_at, expires_at, used_at, revoked_at`

func scanToken(s scanner) (*domain.Token, error) {
	var t domain.Token
	err := s.Scan(&t.ID, &t.Kind, &t.FamilyID, &t.AuthRequestID, &t.AccountID, &t.ClientID, &t.SessionID,
		listCol{&t.Scopes}, listCol{&t.Audience}, timeCol{&t.AuthTime}, listCol{&t.AMR},
		timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt}, nullTimeCol{&t.UsedAt}, nullTimeCol{&t.RevokedAt})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateToken inserts t; ECONFLICT when its id exists, EINVALID when its
// client does not.
func (db *DB) CreateToken(ctx context.Context, t *domain.Token) error {
	_, err := db.exec(ctx, `INSERT INTO tokens (`+tokenCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Kind, t.FamilyID, t.AuthRequestID, t.AccountID, t.ClientID, t.SessionID,
		listArg(t.Scopes), listArg(t.Audience), db.d.zeroNull(t.AuthTime), listArg(t.AMR),
		db.d.time(t.CreatedAt), db.d.time(t.ExpiresAt), db.d.nullTime(t.UsedAt), db.d.nullTime(t.RevokedAt))
	return wrap(err, "create token", "token")
}

// TokenByID returns the token, used, revoked or expired; ENOTFOUND when
// there is none.
func (db *DB) TokenByID(ctx context.Context, id string) (*domain.Token, error) {
	t, err := scanToken(db.queryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, id))
	return t, wrap(err, "token by id", "token")
}

// UseRefreshToken marks an unused, unrevoked refresh token used at now in
// one UPDATE and reports whether this call did it (false: a replay).
// ENOTFOUND when there is no such refresh token.
func (db *DB) UseRefreshToken(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE tokens SET used_at = ?
		WHERE id = ? AND kind = ? AND used_at IS NULL AND revoked_at IS NULL`,
		db.d.time(now), id, domain.TokenRefresh)
	if err != nil {
		return false, wrap(err, "use refresh token", "token")
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, wrap(err, "use refresh token", "token")
	} else if n == 1 {
		return true, nil
	}
	ok, err := db.exists(ctx, `SELECT 1 FROM tokens WHERE id = ? AND kind = ?`, id, domain.TokenRefresh)
	if err != nil {
		return false, wrap(err, "use refresh token", "token")
	}
	if !ok {
		return false, domain.ErrNotFound("token")
	}
	return false, nil
}

// RevokeToken sets RevokedAt unless it is set; ENOTFOUND when there is no
// token.
func (db *DB) RevokeToken(ctx context.Context, id string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`,
		db.d.time(now), id)
	return notFoundUnless(res, err, "revoke token", "token")
}

// RevokeFamily revokes every unrevoked token of the refresh family.
func (db *DB) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	return db.revokeWhere(ctx, "family_id", familyID, now)
}

// RevokeByAuthRequest revokes every unrevoked token issued from the
// authorization request's code.
func (db *DB) RevokeByAuthRequest(ctx context.Context, authRequestID string, now time.Time) error {
	return db.revokeWhere(ctx, "auth_request_id", authRequestID, now)
}

// RevokeBySession revokes every unrevoked token of the session.
func (db *DB) RevokeBySession(ctx context.Context, sessionID string, now time.Time) error {
	return db.revokeWhere(ctx, "session_id", sessionID, now)
}

// RevokeByAccount revokes every unrevoked token of the account.
func (db *DB) RevokeByAccount(ctx context.Context, accountID string, now time.Time) error {
	return db.revokeWhere(ctx, "account_id", accountID, now)
}

// revokeWhere revokes tokens whose column equals value. An empty value
// matches nothing, so tokens without a session (say) are never swept up.
func (db *DB) revokeWhere(ctx context.Context, column, value string, now time.Time) error {
	if value == "" {
		return nil
	}
	_, err := db.exec(ctx, `UPDATE tokens SET revoked_at = ?
		WHERE `+column+` = ? AND revoked_at IS NULL`, db.d.time(now), value)
	return wrap(err, "revoke by "+column, "token")
}

// DeleteTokensBefore removes tokens that expired before t and returns how
// many.
func (db *DB) DeleteTokensBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM tokens WHERE expires_at < ?`, db.d.time(t))
	if err != nil {
		return 0, wrap(err, "delete tokens", "token")
	}
	n, err := res.RowsAffected()
	return int(n), wrap(err, "delete tokens", "token")
}
