package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const authRequestCols = `id, client_id, redirect_uri, scopes, state, nonce, response_type, response_mode,
	code_challenge, code_method, prompt, max_age, ui_locales, login_hint, created_at,
	account_id, session_id, auth_time, done, code_digest, code_used_at, browser_digest, code_issued_at`

func scanAuthRequest(s scanner) (*domain.AuthRequest, error) {
	var r domain.AuthRequest
	var maxAge sql.Null[int64]
	err := s.Scan(&r.ID, &r.ClientID, &r.RedirectURI, listCol{&r.Scopes}, &r.State, &r.Nonce,
		&r.ResponseType, &r.ResponseMode, &r.CodeChallenge, &r.CodeMethod, listCol{&r.Prompt}, &maxAge,
		listCol{&r.UILocales}, &r.LoginHint, timeCol{&r.CreatedAt}, &r.AccountID, &r.SessionID,
		timeCol{&r.AuthTime}, &r.Done, &r.CodeDigest, nullTimeCol{&r.CodeUsedAt}, &r.BrowserDigest,
		timeCol{&r.CodeIssuedAt})
	if err != nil {
		return nil, err
	}
	if maxAge.Valid {
		r.MaxAge = &maxAge.V
	}
	return &r, nil
}

// CreateAuthRequest inserts r; ECONFLICT when its id exists, EINVALID when
// its client does not.
func (db *DB) CreateAuthRequest(ctx context.Context, r *domain.AuthRequest) error {
	var maxAge any
	if r.MaxAge != nil {
		maxAge = *r.MaxAge
	}
	_, err := db.exec(ctx, `INSERT INTO auth_requests (`+authRequestCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.ClientID, r.RedirectURI, listArg(r.Scopes), r.State, r.Nonce, r.ResponseType, r.ResponseMode,
		r.CodeChallenge, r.CodeMethod, listArg(r.Prompt), maxAge, listArg(r.UILocales), r.LoginHint,
		db.d.time(r.CreatedAt), r.AccountID, r.SessionID, db.d.zeroNull(r.AuthTime), r.Done, r.CodeDigest,
		db.d.nullTime(r.CodeUsedAt), r.BrowserDigest, db.d.zeroNull(r.CodeIssuedAt))
	return wrap(err, "create auth request", "authorization request")
}

// AuthRequestByID returns the request; ENOTFOUND when there is none.
func (db *DB) AuthRequestByID(ctx context.Context, id string) (*domain.AuthRequest, error) {
	r, err := scanAuthRequest(db.queryRow(ctx, `SELECT `+authRequestCols+` FROM auth_requests WHERE id = ?`, id))
	return r, wrap(err, "auth request by id", "authorization request")
}

// AuthRequestByCode returns the request whose code has the digest, used
// or not; ENOTFOUND when there is none.
func (db *DB) AuthRequestByCode(ctx context.Context, codeDigest string) (*domain.AuthRequest, error) {
	if codeDigest == "" {
		return nil, domain.ErrNotFound("authorization request")
	}
	r, err := scanAuthRequest(db.queryRow(ctx, `SELECT `+authRequestCols+` FROM auth_requests
		WHERE code_digest = ?`, codeDigest))
	return r, wrap(err, "auth request by code", "authorization request")
}

// CompleteAuthRequest records the signed-in account, session and time and
// marks the request done, in one UPDATE that matches only a request not
// done yet; ECONFLICT when it is done, ENOTFOUND when there is no request.
func (db *DB) CompleteAuthRequest(ctx context.Context, id, accountID, sessionID string, authTime time.Time) error {
	res, err := db.exec(ctx, `UPDATE auth_requests SET account_id = ?, session_id = ?, auth_time = ?, done = ?
		WHERE id = ? AND done = ?`, accountID, sessionID, db.d.time(authTime), true, id, false)
	return db.conflictUnless(ctx, res, err, id, "complete auth request", "authorization request is already complete")
}

// SetAuthCode stores the digest of the request's code, in one UPDATE that
// matches only a request with no code; ECONFLICT when it has one,
// ENOTFOUND when there is no request.
func (db *DB) SetAuthCode(ctx context.Context, id, codeDigest string) error {
	res, err := db.exec(ctx, `UPDATE auth_requests SET code_digest = ? WHERE id = ? AND code_digest = ''`, codeDigest, id)
	return db.conflictUnless(ctx, res, err, id, "set auth code", "authorization code already issued")
}

// IssueAuthCode stores the digest of the request's code and when it was
// issued, in one UPDATE that matches only a done request with no code;
// ECONFLICT otherwise, ENOTFOUND when there is no request.
func (db *DB) IssueAuthCode(ctx context.Context, id, codeDigest string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE auth_requests SET code_digest = ?, code_issued_at = ?
		WHERE id = ? AND done = ? AND code_digest = ''`, codeDigest, db.d.time(now), id, true)
	return db.conflictUnless(ctx, res, err, id, "issue auth code", "authorization request is not done or has a code")
}

// conflictUnless turns the result of a conditional UPDATE of one auth
// request into nil (a row changed), ENOTFOUND (no such request) or
// ECONFLICT with the message (the request exists but did not qualify).
func (db *DB) conflictUnless(ctx context.Context, res sql.Result, err error, id, op, conflict string) error {
	if err != nil {
		return wrap(err, op, "authorization request")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(err, op, "authorization request")
	}
	if n == 1 {
		return nil
	}
	ok, err := db.exists(ctx, `SELECT 1 FROM auth_requests WHERE id = ?`, id)
	if err != nil {
		return wrap(err, op, "authorization request")
	}
	if !ok {
		return domain.ErrNotFound("authorization request")
	}
	return domain.Errorf(domain.ECONFLICT, "%s", conflict)
}

// UseAuthCode marks the request's code used at now in one UPDATE and
// reports whether this was the first use; ENOTFOUND when there is no
// request.
func (db *DB) UseAuthCode(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE auth_requests SET code_used_at = ?
		WHERE id = ? AND code_used_at IS NULL`, db.d.time(now), id)
	if err != nil {
		return false, wrap(err, "use auth code", "authorization request")
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, wrap(err, "use auth code", "authorization request")
	} else if n == 1 {
		return true, nil
	}
	ok, err := db.exists(ctx, `SELECT 1 FROM auth_requests WHERE id = ?`, id)
	if err != nil {
		return false, wrap(err, "use auth code", "authorization request")
	}
	if !ok {
		return false, domain.ErrNotFound("authorization request")
	}
	return false, nil
}

// DeleteAuthRequestsBefore removes requests created before t and returns
// how many.
func (db *DB) DeleteAuthRequestsBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM auth_requests WHERE created_at < ?`, db.d.time(t))
	if err != nil {
		return 0, wrap(err, "delete auth requests", "authorization request")
	}
	n, err := res.RowsAffected()
	return int(n), wrap(err, "delete auth requests", "authorization request")
}
