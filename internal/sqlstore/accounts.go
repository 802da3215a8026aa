package sqlstore

import (
	"context"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const accountCols = `id, email, email_key, first_name, last_name, language, phone, fax,
	password_hash, status, failed_logins, locked_at, lock_reason, created_at, updated_at,
	activated_at, password_changed_at, last_login_at,
	account_type, recovery_reason, recovery_required_at, recovery_deadline, expiry_warned_at, last_lock_at`

func scanAccount(s scanner) (*domain.Account, error) {
	var a domain.Account
	err := s.Scan(&a.ID, &a.Email, &a.EmailKey, &a.FirstName, &a.LastName, &a.Language, &a.Phone, &a.Fax,
		&a.PasswordHash, &a.Status, &a.FailedLogins, nullTimeCol{&a.LockedAt}, &a.LockReason,
		timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, nullTimeCol{&a.ActivatedAt},
		timeCol{&a.PasswordChangedAt}, nullTimeCol{&a.LastLoginAt},
		&a.Type, &a.RecoveryReason, nullTimeCol{&a.RecoveryRequiredAt}, nullTimeCol{&a.RecoveryDeadline},
		nullTimeCol{&a.ExpiryWarnedAt}, nullTimeCol{&a.LastLockAt})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// CreateAccount inserts a; ECONFLICT when a.ID or a.EmailKey is taken.
func (db *DB) CreateAccount(ctx context.Context, a *domain.Account) error {
	_, err := db.exec(ctx, `INSERT INTO accounts (`+accountCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Email, a.EmailKey, a.FirstName, a.LastName, a.Language, a.Phone, a.Fax,
		a.PasswordHash, a.Status, a.FailedLogins, db.d.nullTime(a.LockedAt), a.LockReason,
		db.d.time(a.CreatedAt), db.d.time(a.UpdatedAt), db.d.nullTime(a.ActivatedAt),
		db.d.time(a.PasswordChangedAt), db.d.nullTime(a.LastLoginAt),
		a.Type, a.RecoveryReason, db.d.nullTime(a.RecoveryRequiredAt), db.d.nullTime(a.RecoveryDeadline),
		db.d.nullTime(a.ExpiryWarnedAt), db.d.nullTime(a.LastLockAt))
	return wrap(err, "create account", "account")
}

// AccountByID returns the account; ENOTFOUND when there is none.
func (db *DB) AccountByID(ctx context.Context, id string) (*domain.Account, error) {
	a, err := scanAccount(db.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`, id))
	return a, wrap(err, "account by id", "account")
}

// AccountByEmailKey returns the account with the normalized address;
// ENOTFOUND when there is none.
func (db *DB) AccountByEmailKey(ctx context.Context, emailKey string) (*domain.Account, error) {
	a, err := scanAccount(db.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE email_key = ?`, emailKey))
	return a, wrap(err, "account by email", "account")
}

// UpdateAccount writes a's profile, status, activation, password, type
// and recovery fields and UpdatedAt. ENOTFOUND when the account is missing, ECONFLICT
// when a new EmailKey is taken.
func (db *DB) UpdateAccount(ctx context.Context, a *domain.Account) error {
	res, err := db.exec(ctx, `UPDATE accounts SET email = ?, email_key = ?, first_name = ?, last_name = ?,
		language = ?, phone = ?, fax = ?, password_hash = ?, status = ?, updated_at = ?,
		activated_at = ?, password_changed_at = ?,
		account_type = ?, recovery_reason = ?, recovery_required_at = ?, recovery_deadline = ?
		WHERE id = ?`,
		a.Email, a.EmailKey, a.FirstName, a.LastName, a.Language, a.Phone, a.Fax, a.PasswordHash,
		a.Status, db.d.time(a.UpdatedAt), db.d.nullTime(a.ActivatedAt), db.d.time(a.PasswordChangedAt),
		a.Type, a.RecoveryReason, db.d.nullTime(a.RecoveryRequiredAt), db.d.nullTime(a.RecoveryDeadline), a.ID)
	return notFoundUnless(res, err, "update account", "account")
}

// RecordLoginFailure adds one failure and locks the account when the count
// reaches max, in one UPDATE. The row lock each database takes for it makes
// the count exact under concurrent calls; last_failure_locked is computed
// from the values before the update, so JustLocked is true for exactly the
// call that set the lock.
func (db *DB) RecordLoginFailure(ctx context.Context, accountID string, now time.Time, max int) (domain.FailureResult, error) {
	var r domain.FailureResult
	err := db.queryRowWrite(ctx, `UPDATE accounts SET
			failed_logins = failed_logins + 1,
			last_failure_locked = (locked_at IS NULL AND failed_logins + 1 >= ?),
			locked_at = CASE WHEN locked_at IS NULL AND failed_logins + 1 >= ? THEN ? ELSE locked_at END,
			lock_reason = CASE WHEN locked_at IS NULL AND failed_logins + 1 >= ? THEN ? ELSE lock_reason END
		WHERE id = ?
		RETURNING failed_logins, locked_at IS NOT NULL, last_failure_locked`,
		max, max, db.d.time(now), max, domain.LockFailedAttempts, accountID,
	).Scan(&r.FailedLogins, &r.Locked, &r.JustLocked)
	return r, wrap(err, "record login failure", "account")
}

// RecordLoginSuccess resets the failure count and sets LastLoginAt.
func (db *DB) RecordLoginSuccess(ctx context.Context, accountID string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE accounts SET failed_logins = 0, last_failure_locked = ?, last_login_at = ?
		WHERE id = ?`, false, db.d.time(now), accountID)
	return notFoundUnless(res, err, "record login success", "account")
}

// SetLock locks the account at lockedAt with reason, or, with lockedAt
// nil, unlocks it, resets its failure count and keeps the lifted lock's
// time as last_lock_at (dormancy counts from it).
func (db *DB) SetLock(ctx context.Context, accountID string, lockedAt *time.Time, reason string) error {
	var q string
	var args []any
	if lockedAt == nil {
		q = `UPDATE accounts SET last_lock_at = COALESCE(locked_at, last_lock_at),
			locked_at = NULL, lock_reason = '', failed_logins = 0, last_failure_locked = ?
			WHERE id = ?`
		args = []any{false, accountID}
	} else {
		q = `UPDATE accounts SET locked_at = ?, lock_reason = ? WHERE id = ?`
		args = []any{db.d.time(*lockedAt), reason, accountID}
	}
	res, err := db.exec(ctx, q, args...)
	return notFoundUnless(res, err, "set lock", "account")
}

// CountAccounts returns how many accounts exist.
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, wrap(err, "count accounts", "account")
}
