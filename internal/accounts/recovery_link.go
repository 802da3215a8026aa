package accounts

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// FieldResetPassword is the new-password field of the Reset Password
// screen (SPEC stable name); its confirmation is FieldConfirm.
const FieldResetPassword = "new_password"

// RecoveryAction is what following a recovery link does (REC-4).
type RecoveryAction string

const (
	// RecoveryUnlock: the account is locked (failed attempts, dormancy);
	// the link unlocks it and the current password signs in again.
	RecoveryUnlock RecoveryAction = "unlock"
	// RecoveryReset: any other account (password expired, recovery
	// required, or simply forgotten) chooses a new password.
	RecoveryReset RecoveryAction = "reset"
)

// Recovery is a usable recovery link's account and what the link does.
type Recovery struct {
	Action  RecoveryAction
	Account *domain.Account
}

// recoveryAction decides REC-4 from the account's state (StateOf): locked
// for failed attempts or dormancy is unlocked; every other state resets.
func (s *Service) recoveryAction(a *domain.Account) RecoveryAction {
	if st, _ := s.StateOf(a); st == StateLocked {
		return RecoveryUnlock
	}
	return RecoveryReset
}

// OpenRecovery answers GET /recover: it checks the link without using it
// (mail scanners that follow links do not spend it) and says what the
// POST will do. Nothing changes, whatever the outcome.
//
// Errors: *domain.Error EINVALID "recover.invalid" for a link that is
// empty, truncated, altered, unknown, used, voided (a newer link, a
// reset), expired (RecoveryTTL after it was sent: 59:59 valid, 60:00
// refused), sent before the account's password last changed, or sent to
// an address that is no longer the account's; EFORBIDDEN
// "recover.disabled" for a disabled account (REC-5).
func (s *Service) OpenRecovery(ctx context.Context, secret string) (*Recovery, error) {
	_, a, err := s.recoveryLink(ctx, s.store, secret)
	if err != nil {
		return nil, err
	}
	return &Recovery{Action: s.recoveryAction(a), Account: a}, nil
}

// CompleteRecovery answers POST /recover: it uses the link once (REC-2)
// and, in one transaction with its audit event:
//
//   - RecoveryUnlock: unlocks the account (failure count reset) and voids
//     its recovery links; the password does not change and
//     newPassword/confirm are ignored;
//   - RecoveryReset: newPassword and confirm are checked first (PWD-1,
//     PWD-8 screening, PWD-2 history; FieldErrors on "new_password" and
//     "confirm_password", the link still unused). Then the password is
//     replaced, any lock is undone, every session of the account is ended
//     (with the back-channel notices of the logout notifier, if set), its
//     tokens revoked and all its outstanding links voided (REC-7), and a
//     "password_reset_done" email with a "Log into your account" link is
//     queued.
//
// Errors are OpenRecovery's, and nothing changes after any of them; a
// disabled account is audited (domain.AuditRecoverRefused) and stays
// disabled. Two posts of one link act once: the second gets
// "recover.invalid".
func (s *Service) CompleteRecovery(ctx context.Context, secret, newPassword, confirm string, m Meta) (*Recovery, error) {
	_, a, err := s.recoveryLink(ctx, s.store, secret)
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Key == KeyRecoverDisabled {
		if aerr := s.audit(ctx, s.store, domain.AuditRecoverRefused, a.ID, m, "disabled"); aerr != nil {
			return nil, aerr
		}
	}
	if err != nil {
		return nil, err
	}
	action := s.recoveryAction(a)
	var hash string
	if action == RecoveryReset {
		if fe := checkNewPassword(s.cfg.Policy, newPassword, confirm); len(fe) > 0 {
			return nil, fe
		}
		// PWD-2: with a history depth set, a recent password is refused.
		if err := s.CheckHistory(ctx, s.store, a.ID, newPassword); err != nil {
			if fe, ok := errors.AsType[FieldErrors](err); ok {
				return nil, FieldErrors{FieldResetPassword: fe[FieldPassword]}
			}
			return nil, err
		}
		if hash, err = s.hasher.Hash(newPassword); err != nil {
			return nil, err
		}
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		l, fresh, err := s.recoveryLink(ctx, tx, secret)
		if err != nil {
			return err
		}
		if action == RecoveryUnlock && s.recoveryAction(fresh) == RecoveryReset {
			// Changed since the form was shown: show the reset form.
			return FieldErrors{FieldResetPassword: KeyRequired}
		}
		if _, err := tx.UseLink(ctx, l.Digest, now); domain.IsNotFound(err) {
			return errRecoverInvalid()
		} else if err != nil {
			return err
		}
		a = fresh
		if action == RecoveryUnlock {
			return s.unlock(ctx, tx, a, m)
		}
		return s.reset(ctx, tx, a, hash, m)
	})
	if err != nil {
		if _, ok := errors.AsType[FieldErrors](err); ok {
			return nil, err
		}
		if de, ok := errors.AsType[*domain.Error](err); ok && de.Key != "" {
			return nil, err
		}
		return nil, fmt.Errorf("complete recovery: %w", err)
	}
	s.log.InfoContext(ctx, "account recovered", "account_id", a.ID, "action", string(action))
	return &Recovery{Action: action, Account: a}, nil
}

// unlock undoes the lock of a within tx (REC-4).
func (s *Service) unlock(ctx context.Context, tx domain.Store, a *domain.Account, m Meta) error {
	_, reason := s.StateOf(a)
	if !a.Locked() {
		// Dormant by the clock with no stored lock: store it first, so
		// that lifting it records when it was set (Account.LastLockAt)
		// and dormancy counts again from now (PWD-4).
		if err := s.LockDormant(ctx, tx, a, m); err != nil {
			return err
		}
	}
	if err := s.Unlock(ctx, tx, a.ID, "", m); err != nil {
		return err
	}
	a.LockedAt, a.LockReason, a.FailedLogins = nil, "", 0
	if err := tx.VoidLinks(ctx, a.ID, domain.LinkRecover, s.clock.Now()); err != nil {
		return fmt.Errorf("void recovery links: %w", err)
	}
	return s.audit(ctx, tx, domain.AuditRecoverUnlock, a.ID, m, string(reason))
}

// reset gives a the password hash within tx and ends everything the old
// password let in (REC-4, REC-7).
func (s *Service) reset(ctx context.Context, tx domain.Store, a *domain.Account, hash string, m Meta) error {
	now := s.clock.Now()
	msg, err := s.compose(a.Email, a.Language, TemplatePasswordResetDone, map[string]any{
		"LoginLink": s.cfg.URL("/login"),
	})
	if err != nil {
		return err
	}
	a.PasswordHash, a.PasswordChangedAt, a.UpdatedAt = hash, now, now
	if err := tx.UpdateAccount(ctx, a); err != nil {
		return err
	}
	if err := s.RecordHistory(ctx, tx, a.ID, hash); err != nil {
		return err
	}
	// Every lock and any recovery requirement end with the new password.
	if err := s.ResetDone(ctx, tx, a.ID, m); err != nil {
		return err
	}
	a.LockedAt, a.LockReason, a.FailedLogins = nil, "", 0
	a.RecoveryReason, a.RecoveryRequiredAt, a.RecoveryDeadline = "", nil, nil
	ended, err := tx.EndAccountSessions(ctx, a.ID, "", now)
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	if err := s.notifyLogout(ctx, tx, ended...); err != nil {
		return err
	}
	if err := tx.RevokeByAccount(ctx, a.ID, now); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	if err := tx.VoidLinks(ctx, a.ID, "", now); err != nil {
		return fmt.Errorf("void links: %w", err)
	}
	if err := tx.EnqueueMessage(ctx, msg); err != nil {
		return fmt.Errorf("enqueue reset confirmation: %w", err)
	}
	return s.audit(ctx, tx, domain.AuditRecoverReset, a.ID, m, fmt.Sprintf("%d sessions ended", len(ended)))
}

// recoveryLink returns the usable recovery link of secret and its account,
// read through st. On EFORBIDDEN "recover.disabled" the account is
// returned too, for the audit event.
func (s *Service) recoveryLink(ctx context.Context, st domain.Store, secret string) (*domain.Link, *domain.Account, error) {
	if secret == "" || len(secret) > maxSecretLen {
		return nil, nil, errRecoverInvalid()
	}
	digest := digestOf(secret)
	l, err := st.LinkByDigest(ctx, digest)
	if domain.IsNotFound(err) {
		return nil, nil, errRecoverInvalid()
	} else if err != nil {
		return nil, nil, err
	}
	if !sameDigest(l.Digest, digest) || l.Purpose != domain.LinkRecover || l.UsedAt != nil || !s.clock.Now().Before(l.ExpiresAt) {
		return nil, nil, errRecoverInvalid()
	}
	a, err := st.AccountByID(ctx, l.AccountID)
	if domain.IsNotFound(err) {
		return nil, nil, errRecoverInvalid()
	} else if err != nil {
		return nil, nil, err
	}
	d, err := readRecoveryData(l.Data)
	if err != nil || d.EmailKey != a.EmailKey || a.PasswordChangedAt.After(l.CreatedAt) {
		// Sent to a former address, or the password changed since.
		return nil, nil, errRecoverInvalid()
	}
	switch st, _ := s.StateOf(a); st {
	case StateDisabled:
		return l, a, errRecoverDisabled()
	case StatePending:
		return nil, nil, errRecoverInvalid()
	}
	return l, a, nil
}

// checkNewPassword checks the Reset Password form: the composition rule
// and the screening list (password.CheckPolicy), and the confirmation.
func checkNewPassword(pol config.PasswordPolicy, pw, confirm string) FieldErrors {
	fe := FieldErrors{}
	if pw == "" {
		fe[FieldResetPassword] = KeyRequired
	} else if keys := password.CheckPolicy(pol, pw); len(keys) > 0 {
		fe[FieldResetPassword] = keys[0]
	}
	switch {
	case confirm == "":
		fe[FieldConfirm] = KeyRequired
	case subtle.ConstantTimeCompare([]byte(pw), []byte(confirm)) != 1:
		fe[FieldConfirm] = KeyPasswordMismatch
	}
	return fe
}
