package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// errLinkInvalid is what every unusable activation link gives: unknown,
// altered, used, expired, of another purpose, or for an account that is no
// longer pending.
func errLinkInvalid() *domain.Error {
	return errf(domain.EINVALID, "link.invalid", "This link is not valid. It may have been used or have expired.")
}

// MaxActivationAttempts is how many passwords may be tried with one
// activation link; the last wrong one voids the link.
const MaxActivationAttempts = 5

// KeyActivatePasswordMismatch is the message key of a wrong password on
// the activation screen.
const KeyActivatePasswordMismatch = "activate.password_mismatch"

func errActivatePassword() *domain.Error {
	return errf(domain.EUNAUTHORIZED, KeyActivatePasswordMismatch,
		"This password doesn't match the one chosen when this activation email was requested; use the password you chose, or sign up again.")
}

// Activate uses the activation link whose secret is given and makes its
// pending account active (ACC-2), when pw is the password chosen in the
// sign-up that requested the link. So a sign-up by someone else for the
// same address cannot give the account a password its owner did not type.
//
// The password is checked (argon2id, constant time) against the hash the
// link carries. On success, in one transaction, the link is used, the
// account takes the link's password hash, names and language, becomes
// active (a failed-sign-in count or lock from before is cleared), and
// every other activation link of the account is voided.
//
// Errors, after which nothing else changes:
//   - pw empty, for a usable link: FieldErrors{password:
//     "field.required"}, no try spent;
//   - a link unknown, altered, used, expired, of another purpose, voided
//     or for an account no longer pending: *domain.Error EINVALID
//     "link.invalid";
//   - a wrong password: *domain.Error EUNAUTHORIZED
//     "activate.password_mismatch", audited; the link stays unused. Each
//     try is counted on the link before the password is checked, so no
//     more than MaxActivationAttempts checks run on one link even at once;
//     the last wrong one voids the link and gives "link.invalid".
func (s *Service) Activate(ctx context.Context, secret, pw string, m Meta) (*domain.Account, error) {
	if secret == "" || len(secret) > maxSecretLen {
		return nil, errLinkInvalid()
	}
	digest := digestOf(secret)
	if pw == "" {
		if _, _, err := s.usableLink(ctx, digest); err != nil {
			return nil, err
		}
		return nil, FieldErrors{FieldPassword: KeyRequired}
	}
	l, d, err := s.reserveAttempt(ctx, digest)
	if err != nil {
		return nil, err
	}
	ok, rehash, err := s.hasher.Verify(d.PasswordHash, pw)
	if err != nil {
		s.log.ErrorContext(ctx, "activation link password hash unreadable", "account_id", l.AccountID, "err", err)
		return nil, &domain.Error{Code: domain.EINTERNAL, Message: "Internal error.", Err: err}
	}
	if !ok {
		return nil, s.wrongActivationPassword(ctx, l, d, m)
	}
	if rehash {
		if d.PasswordHash, err = s.hasher.Hash(pw); err != nil {
			return nil, err
		}
	}
	a, err := s.activate(ctx, l, d, m)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Key != "" {
			return nil, err
		}
		return nil, fmt.Errorf("activate: %w", err)
	}
	s.log.InfoContext(ctx, "account activated", "account_id", a.ID)
	return a, nil
}

// usableLink returns the activation link of digest and its sign-up when
// the link can still activate: unused, unexpired, not out of tries, for a
// pending account. Otherwise "link.invalid".
func (s *Service) usableLink(ctx context.Context, digest string) (*domain.Link, signUpData, error) {
	l, err := s.store.LinkByDigest(ctx, digest)
	if domain.IsNotFound(err) {
		return nil, signUpData{}, errLinkInvalid()
	} else if err != nil {
		return nil, signUpData{}, err
	}
	if !sameDigest(l.Digest, digest) || l.Purpose != domain.LinkActivate || l.UsedAt != nil || !s.clock.Now().Before(l.ExpiresAt) {
		return nil, signUpData{}, errLinkInvalid()
	}
	a, err := s.store.AccountByID(ctx, l.AccountID)
	if err != nil {
		return nil, signUpData{}, err
	}
	if a.Status != domain.StatusPending {
		return nil, signUpData{}, errLinkInvalid()
	}
	d, err := readSignUp(l.Data, a)
	if err != nil {
		s.log.ErrorContext(ctx, "activation link unreadable", "account_id", a.ID, "err", err)
		return nil, signUpData{}, errLinkInvalid()
	}
	if d.Attempts >= MaxActivationAttempts {
		return nil, signUpData{}, errLinkInvalid()
	}
	return l, d, nil
}

// reserveAttempt finds the usable activation link of digest and counts one
// more password try on it (compare-and-swap on its Data, retried when a
// concurrent try changed it first). It returns the link and its sign-up
// with the count raised.
func (s *Service) reserveAttempt(ctx context.Context, digest string) (*domain.Link, signUpData, error) {
	for range MaxActivationAttempts + 2 {
		l, d, err := s.usableLink(ctx, digest)
		if err != nil {
			return nil, signUpData{}, err
		}
		d.Attempts++
		err = s.store.SwapLinkData(ctx, digest, l.Data, d.encode(), s.clock.Now())
		if err == nil {
			return l, d, nil
		} else if !domain.IsNotFound(err) {
			return nil, signUpData{}, err
		}
		// Used, expired or tried concurrently meanwhile: look again.
	}
	return nil, signUpData{}, errLinkInvalid()
}

// wrongActivationPassword audits a wrong password on link l and voids the
// link when its tries are spent.
func (s *Service) wrongActivationPassword(ctx context.Context, l *domain.Link, d signUpData, m Meta) error {
	spent := d.Attempts >= MaxActivationAttempts
	detail := fmt.Sprintf("attempt %d of %d", d.Attempts, MaxActivationAttempts)
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		if spent {
			if _, err := tx.UseLink(ctx, l.Digest, s.clock.Now()); err != nil && !domain.IsNotFound(err) {
				return fmt.Errorf("void activation link: %w", err)
			}
		}
		return s.audit(ctx, tx, domain.AuditActivateFailure, l.AccountID, m, detail)
	})
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "activation refused: wrong password", "account_id", l.AccountID,
		"attempt", d.Attempts, "link_voided", spent)
	if spent {
		return errLinkInvalid()
	}
	return errActivatePassword()
}

// activate uses link l and gives its account the sign-up d, in one
// transaction.
func (s *Service) activate(ctx context.Context, l *domain.Link, d signUpData, m Meta) (*domain.Account, error) {
	now := s.clock.Now()
	var a *domain.Account
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		if _, err := tx.UseLink(ctx, l.Digest, now); domain.IsNotFound(err) {
			return errLinkInvalid()
		} else if err != nil {
			return err
		}
		// Returning an error rolls back the UseLink above.
		var err error
		if a, err = tx.AccountByID(ctx, l.AccountID); err != nil {
			return err
		}
		if a.Status != domain.StatusPending {
			return errLinkInvalid()
		}
		a.PasswordHash, a.PasswordChangedAt = d.PasswordHash, now
		a.FirstName, a.LastName, a.Language = d.FirstName, d.LastName, d.Language
		a.Status, a.ActivatedAt, a.UpdatedAt = domain.StatusActive, &now, now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := s.RecordHistory(ctx, tx, a.ID, a.PasswordHash); err != nil {
			return err
		}
		// Failed sign-ins so far were against a password this account may
		// no longer have.
		if a.FailedLogins > 0 || (a.Locked() && a.LockReason == domain.LockFailedAttempts) {
			if err := tx.SetLock(ctx, a.ID, nil, ""); err != nil {
				return err
			}
			a.FailedLogins, a.LockedAt, a.LockReason = 0, nil, ""
		}
		if err := tx.VoidLinks(ctx, a.ID, domain.LinkActivate, now); err != nil {
			return fmt.Errorf("void activation links: %w", err)
		}
		return s.audit(ctx, tx, domain.AuditActivate, a.ID, m, "")
	})
	return a, err
}

// ResendActivation sends a new activation email to a pending account,
// carrying the sign-up of its newest activation link (the latest sign-up
// or resend), and voids its older activation links, in one transaction
// (ACC-2). It is capped like sign-ups (MaxAccountMails per MailWindow).
// For an address that is malformed, unknown or not pending it does nothing
// and returns nil, so the answer never tells who has an account.
func (s *Service) ResendActivation(ctx context.Context, email string, m Meta) error {
	key, ok := NormalizeEmail(email)
	if !ok {
		return nil
	}
	a, err := s.store.AccountByEmailKey(ctx, key)
	if domain.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if a.Status != domain.StatusPending {
		return nil
	}
	d := fromAccount(a)
	if l, err := s.store.LatestLink(ctx, a.ID, domain.LinkActivate); err == nil {
		if d, err = readSignUp(l.Data, a); err != nil {
			return fmt.Errorf("resend activation: %w", err)
		}
	} else if !domain.IsNotFound(err) {
		return err
	}
	d.Attempts = 0
	if err := s.mailExisting(ctx, a.ID, d, true, m); err != nil {
		return fmt.Errorf("resend activation: %w", err)
	}
	return nil
}

// Lookup returns the account of an email address (ACC-1), or ENOTFOUND
// when there is none or the address is malformed.
func (s *Service) Lookup(ctx context.Context, email string) (*domain.Account, error) {
	key, ok := NormalizeEmail(email)
	if !ok {
		return nil, domain.ErrNotFound("account")
	}
	return s.store.AccountByEmailKey(ctx, key)
}
