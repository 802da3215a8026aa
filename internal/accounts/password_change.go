package accounts

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// TemplatePasswordChanged is the notice sent after a password change
// (PWD-5); data: TroubleLink.
const TemplatePasswordChanged = "password_changed"

// Form field names of the change-password form (PWD-5).
const (
	FieldCurrentPassword = "current_password"
	FieldNewPassword     = "new_password"
)

// Message keys of the change-password and change-email forms.
const (
	KeyCurrentPasswordWrong = "password.current_wrong"
	KeyReauthTooMany        = "reauth.too_many"
)

// A wrong current password on the change-password or change-email form is
// not a failed sign-in: it does not count towards LOGIN-5's lock (as in
// Keycloak), because the person already holds a live session and a lock
// would let whoever sits at an unlocked screen lock the owner out. It is
// audited and rate limited instead: after MaxReauthFailures wrong
// passwords within ReauthWindow, counted from the audit log (so across
// nodes), the forms refuse every try, right or wrong, with ETOOMANY
// "reauth.too_many" until the window has moved on.
const (
	MaxReauthFailures = 5
	ReauthWindow      = 15 * time.Minute
)

// ChangePassword changes the password of the signed-in account (PWD-5):
// current is checked, next must satisfy the policy and the screening of
// PWD-1/PWD-8 (password.CheckPolicy), the history depth setting (PWD-2,
// CheckHistory: with the default depth 0 the current password may be
// chosen again) and equal confirm.
//
// On success, in one transaction: the new hash and PasswordChangedAt are
// stored; every other session of the account is ended and the tokens
// issued under them revoked (the session sessionID, where the change was
// made, stays signed in); the portals are told through the logout
// notifier; outstanding recovery and email-change links are voided; the
// "password_changed" notice is queued to the account's address in its
// language; the change is audited.
//
// Errors: FieldErrors (current_password "password.current_wrong", audited,
// or the new password's problems, new_password "password.reused" among
// them; nothing changes), ETOOMANY
// "reauth.too_many" (see MaxReauthFailures), ENOTFOUND for no account.
func (s *Service) ChangePassword(ctx context.Context, accountID, sessionID, current, next, confirm string, m Meta) error {
	fe := FieldErrors{}
	if current == "" {
		fe[FieldCurrentPassword] = KeyRequired
	}
	if next == "" {
		fe[FieldNewPassword] = KeyRequired
	} else if keys := password.CheckPolicy(s.cfg.Policy, next); len(keys) > 0 {
		fe[FieldNewPassword] = keys[0]
	}
	switch {
	case confirm == "":
		fe[FieldConfirm] = KeyRequired
	case subtle.ConstantTimeCompare([]byte(next), []byte(confirm)) != 1:
		fe[FieldConfirm] = KeyPasswordMismatch
	}
	if len(fe) > 0 {
		return fe
	}
	a, err := s.reauthenticate(ctx, accountID, current, domain.AuditPasswordChangeFailed, m)
	if err != nil {
		return err
	}
	if err := s.CheckHistory(ctx, s.store, accountID, next); err != nil {
		if fe, ok := errors.AsType[FieldErrors](err); ok {
			return FieldErrors{FieldNewPassword: fe[FieldPassword]}
		}
		return err
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	msg, err := s.compose(a.Email, a.Language, TemplatePasswordChanged, map[string]any{
		"TroubleLink": s.cfg.URL("/trouble"),
	})
	if err != nil {
		return err
	}
	var ended []string
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		fresh, err := tx.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if fresh.PasswordHash != a.PasswordHash {
			// Changed meanwhile (another tab, a reset): the current
			// password checked above may no longer be the password.
			return FieldErrors{FieldCurrentPassword: KeyCurrentPasswordWrong}
		}
		fresh.PasswordHash, fresh.PasswordChangedAt, fresh.UpdatedAt = hash, now, now
		if err := tx.UpdateAccount(ctx, fresh); err != nil {
			return err
		}
		if err := s.RecordHistory(ctx, tx, accountID, hash); err != nil {
			return err
		}
		if ended, err = s.endOtherSessions(ctx, tx, accountID, sessionID); err != nil {
			return err
		}
		for _, purpose := range []string{domain.LinkRecover, domain.LinkEmailChange} {
			if err := tx.VoidLinks(ctx, accountID, purpose, now); err != nil {
				return fmt.Errorf("void %s links: %w", purpose, err)
			}
		}
		if err := tx.EnqueueMessage(ctx, msg); err != nil {
			return fmt.Errorf("enqueue password_changed email: %w", err)
		}
		return s.audit(ctx, tx, domain.AuditPasswordChange, accountID, m, fmt.Sprintf("other sessions ended: %d", len(ended)))
	})
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "password changed", "account_id", accountID, "sessions_ended", len(ended))
	return nil
}

// endOtherSessions ends every session of the account but exceptID, revokes
// the tokens issued under each and hands them to the logout notifier, all
// through tx. It returns the ids it ended.
func (s *Service) endOtherSessions(ctx context.Context, tx domain.Store, accountID, exceptID string) ([]string, error) {
	now := s.clock.Now()
	ended, err := tx.EndAccountSessions(ctx, accountID, exceptID, now)
	if err != nil {
		return nil, fmt.Errorf("end other sessions: %w", err)
	}
	for _, id := range ended {
		if err := tx.RevokeBySession(ctx, id, now); err != nil {
			return nil, fmt.Errorf("revoke tokens of an ended session: %w", err)
		}
	}
	if err := s.notifyLogout(ctx, tx, ended...); err != nil {
		return nil, err
	}
	return ended, nil
}

// reauthenticate checks the current password of a signed-in account before
// a sensitive change, under the rate limit of MaxReauthFailures. A wrong
// password is audited with failType and gives FieldErrors on
// current_password. The account must be active and not locked.
func (s *Service) reauthenticate(ctx context.Context, accountID, current, failType string, m Meta) (*domain.Account, error) {
	a, err := s.store.AccountByID(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Status != domain.StatusActive || a.Locked() {
		return nil, domain.ErrNotFound("account")
	}
	if n, err := s.recentFailures(ctx, accountID, failType); err != nil {
		return nil, err
	} else if n >= MaxReauthFailures {
		s.hasher.DummyVerify(current)
		return nil, errf(domain.ETOOMANY, KeyReauthTooMany, "Too many wrong passwords. Try again later.")
	}
	ok, _, err := s.hasher.Verify(a.PasswordHash, current)
	if err != nil {
		s.log.ErrorContext(ctx, "stored password hash unreadable", "account_id", a.ID, "err", err)
		return nil, &domain.Error{Code: domain.EINTERNAL, Message: "Internal error.", Err: err}
	}
	if !ok {
		if err := s.audit(ctx, s.store, failType, a.ID, m, "wrong current password"); err != nil {
			return nil, err
		}
		return nil, FieldErrors{FieldCurrentPassword: KeyCurrentPasswordWrong}
	}
	return a, nil
}

// recentFailures counts the account's audit events of typ within
// ReauthWindow before now.
func (s *Service) recentFailures(ctx context.Context, accountID, typ string) (int, error) {
	events, err := s.store.ListAudit(ctx, domain.AuditFilter{AccountID: accountID, Type: typ, Limit: MaxReauthFailures})
	if err != nil {
		return 0, fmt.Errorf("count failed re-authentications: %w", err)
	}
	since := s.clock.Now().Add(-ReauthWindow)
	n := 0
	for _, e := range events {
		if e.Time.After(since) {
			n++
		}
	}
	return n, nil
}
