package accounts

import (
	"context"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Message keys of sign-in errors.
const (
	KeyLoginFailed   = "login.failed"
	KeyLoginLocked   = "login.locked"
	KeyLoginPending  = "login.pending"
	KeyLoginDisabled = "login.disabled"
	KeyLoginExpired  = "login.expired"  // PWD-3: the way out is "Trouble logging in?"
	KeyLoginDormant  = "login.dormant"  // PWD-4: locked for dormancy
	KeyLoginRecovery = "login.recovery" // LOGIN-2: a recovery email is the way in
)

func errLoginFailed() *domain.Error {
	return errf(domain.EUNAUTHORIZED, KeyLoginFailed, "The email address or password is not correct.")
}

func errLoginLocked() *domain.Error {
	return errf(domain.EFORBIDDEN, KeyLoginLocked, "This account is locked.")
}

// Authenticate checks a password sign-in and returns the account.
//
// Every outcome costs one argon2id verification: an unknown or malformed
// address is checked against a dummy hash and gives the same
// EUNAUTHORIZED "login.failed" as a wrong password, so the answer and its
// timing never tell whether an address has an account.
//
// The account's state (StateOf) is applied first: a password that has
// expired (PWD-3) or an account gone dormant (PWD-4) is locked now, in the
// store, and audited. Then, as *domain.Error:
//   - wrong password on an active or pending account: the failure is
//     counted in one atomic store update; the fifth in a row locks the
//     account and gives "login.locked", others "login.failed";
//   - wrong password on any other state: "login.failed" under
//     enumeration_protection = strict (LOGIN-2: no state message before a
//     correct password), else the state's message as below;
//   - disabled: EFORBIDDEN "login.disabled";
//   - locked: EFORBIDDEN "login.locked" (failed attempts) or
//     "login.dormant"; password expired: "login.expired"; recovery
//     required: "login.recovery" (the caller sends the recovery email);
//   - pending with the right password: EFORBIDDEN "login.pending".
//
// On success the failure count is reset and, when the stored hash has old
// parameters, it is replaced by one with the current parameters (PWD-7).
func (s *Service) Authenticate(ctx context.Context, email, pw string, m Meta) (*domain.Account, error) {
	key, ok := NormalizeEmail(email)
	if !ok {
		s.hasher.DummyVerify(pw)
		return nil, s.unknownAccount(ctx, m)
	}
	a, err := s.store.AccountByEmailKey(ctx, key)
	if domain.IsNotFound(err) {
		s.hasher.DummyVerify(pw)
		return nil, s.unknownAccount(ctx, m)
	} else if err != nil {
		return nil, err
	}

	right, rehash, err := s.hasher.Verify(a.PasswordHash, pw)
	if err != nil {
		s.log.ErrorContext(ctx, "stored password hash unreadable", "account_id", a.ID, "err", err)
		return nil, &domain.Error{Code: domain.EINTERNAL, Message: "Internal error.", Err: err}
	}
	state, reason, err := s.applyState(ctx, a, m)
	if err != nil {
		return nil, err
	}
	switch {
	case !right && (state == StateActive || state == StatePending):
		return nil, s.wrongPassword(ctx, a, m)
	case !right && s.strict():
		return nil, s.refuse(ctx, a, m, errLoginFailed())
	case state == StateActive:
	case state == StatePending:
		return nil, s.refuse(ctx, a, m, errf(domain.EFORBIDDEN, KeyLoginPending, "This account is not activated yet."))
	default:
		return nil, s.refuse(ctx, a, m, stateError(state, reason))
	}

	now := s.clock.Now()
	if err := s.store.RecordLoginSuccess(ctx, a.ID, now); err != nil {
		return nil, fmt.Errorf("record sign-in: %w", err)
	}
	// Read again: a concurrent run of wrong passwords may have locked the
	// account while this password was being checked.
	fresh, err := s.store.AccountByID(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if st, r := s.StateOf(fresh); st != StateActive {
		return nil, s.refuse(ctx, fresh, m, stateError(st, r))
	}
	if rehash {
		s.upgradeHash(ctx, fresh, pw)
	}
	if err := s.audit(ctx, s.store, domain.AuditSignInSuccess, a.ID, m, ""); err != nil {
		return nil, err
	}
	return fresh, nil
}

// unknownAccount audits a sign-in for an address without an account.
func (s *Service) unknownAccount(ctx context.Context, m Meta) error {
	if err := s.audit(ctx, s.store, domain.AuditSignInFailure, "", m, "unknown address"); err != nil {
		return err
	}
	return errLoginFailed()
}

// refuse audits a sign-in refused because of the account's state.
func (s *Service) refuse(ctx context.Context, a *domain.Account, m Meta, e *domain.Error) error {
	if err := s.audit(ctx, s.store, domain.AuditSignInFailure, a.ID, m, e.Key); err != nil {
		return err
	}
	return e
}

// wrongPassword counts a failure (LOGIN-5) and audits it, and the lock when
// this failure is the one that locked the account.
func (s *Service) wrongPassword(ctx context.Context, a *domain.Account, m Meta) error {
	res, err := s.store.RecordLoginFailure(ctx, a.ID, s.clock.Now(), domain.MaxFailedLogins)
	if err != nil {
		return fmt.Errorf("record failed sign-in: %w", err)
	}
	if err := s.audit(ctx, s.store, domain.AuditSignInFailure, a.ID, m, "wrong password"); err != nil {
		return err
	}
	if res.JustLocked {
		s.log.WarnContext(ctx, "account locked after failed sign-ins", "account_id", a.ID, "failures", res.FailedLogins)
		if err := s.audit(ctx, s.store, domain.AuditAccountLocked, a.ID, m, domain.LockFailedAttempts); err != nil {
			return err
		}
	}
	if res.Locked && !s.strict() {
		return errLoginLocked()
	}
	return errLoginFailed()
}

// upgradeHash stores a hash of pw with the current parameters (PWD-7). The
// password itself has not changed, so PasswordChangedAt stays. A failure is
// logged and the sign-in goes on; the next one tries again.
func (s *Service) upgradeHash(ctx context.Context, a *domain.Account, pw string) {
	hash, err := s.hasher.Hash(pw)
	if err == nil {
		a.PasswordHash, a.UpdatedAt = hash, s.clock.Now()
		err = s.store.UpdateAccount(ctx, a)
	}
	if err != nil {
		s.log.WarnContext(ctx, "password hash upgrade failed", "account_id", a.ID, "err", err)
		return
	}
	s.log.InfoContext(ctx, "password hash upgraded", "account_id", a.ID)
}

// strict reports whether enumeration_protection = strict (LOGIN-2).
func (s *Service) strict() bool {
	return s.cfg.Lifecycle.EnumerationProtection == config.EnumerationStrict
}

// stateError is the sign-in refusal of an account in a state other than
// active or pending.
func stateError(st State, r Reason) *domain.Error {
	switch {
	case st == StateDisabled:
		return errf(domain.EFORBIDDEN, KeyLoginDisabled, "This account is disabled.")
	case st == StateLocked && r == ReasonDormant:
		return errf(domain.EFORBIDDEN, KeyLoginDormant, "This account is locked because it was not used for a long time.")
	case st == StatePasswordExpired:
		return errf(domain.EFORBIDDEN, KeyLoginExpired, "The password of this account has expired.")
	case st == StateRecoveryRequired:
		return errf(domain.EFORBIDDEN, KeyLoginRecovery, "This account must set a new password.")
	case st == StatePending:
		return errf(domain.EFORBIDDEN, KeyLoginPending, "This account is not activated yet.")
	}
	return errLoginLocked()
}
