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

// Activate uses the activation link whose secret is given and makes its
// pending account active (ACC-2). The link is used in the same transaction
// as the activation, so it works once. A link is valid strictly before its
// expiry time. Any unusable link gives *domain.Error EINVALID with Key
// "link.invalid", and nothing changes.
func (s *Service) Activate(ctx context.Context, secret string, m Meta) (*domain.Account, error) {
	if secret == "" || len(secret) > maxSecretLen {
		return nil, errLinkInvalid()
	}
	digest := digestOf(secret)
	now := s.clock.Now()
	var a *domain.Account
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		l, err := tx.UseLink(ctx, digest, now)
		if domain.IsNotFound(err) {
			return errLinkInvalid()
		} else if err != nil {
			return err
		}
		// Returning an error rolls back the UseLink above.
		if !sameDigest(l.Digest, digest) || l.Purpose != domain.LinkActivate || !now.Before(l.ExpiresAt) {
			return errLinkInvalid()
		}
		a, err = tx.AccountByID(ctx, l.AccountID)
		if err != nil {
			return err
		}
		if a.Status != domain.StatusPending {
			return errLinkInvalid()
		}
		a.Status, a.ActivatedAt, a.UpdatedAt = domain.StatusActive, &now, now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		return s.audit(ctx, tx, domain.AuditActivate, a.ID, m, "")
	})
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

// ResendActivation sends a new activation email to a pending account and
// voids its older activation links, in one transaction (ACC-2). For an
// address that is malformed, unknown or not pending it does nothing and
// returns nil, so the answer never tells who has an account.
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
	link, msg, err := s.activation(a)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.VoidLinks(ctx, a.ID, domain.LinkActivate, s.clock.Now()); err != nil {
			return fmt.Errorf("void activation links: %w", err)
		}
		if err := tx.CreateLink(ctx, link); err != nil {
			return fmt.Errorf("create activation link: %w", err)
		}
		if err := tx.EnqueueMessage(ctx, msg); err != nil {
			return fmt.Errorf("enqueue activation email: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("resend activation: %w", err)
	}
	s.log.InfoContext(ctx, "activation email re-sent", "account_id", a.ID)
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
