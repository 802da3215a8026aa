package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Email templates of an email change (PROF-2).
const (
	TemplateEmailChange        = "email_change"         // to the new address; data: Link, ExpiresHours
	TemplateEmailChangedNotice = "email_changed_notice" // to the old address; data: ContactLink
)

// FieldNewEmail is the form field of the new address.
const FieldNewEmail = "new_email"

// Message keys of an email change.
const (
	KeyEmailSame  = "email.same"
	KeyEmailTaken = "email_change.taken"
)

// EmailChangeTTL is how long the confirmation link sent to a new address
// stays valid: a day, long enough to reach a mailbox checked once a day,
// short for a link that moves the account's sign-in.
const EmailChangeTTL = 24 * time.Hour

func errEmailChangeLinkInvalid() *domain.Error {
	return errf(domain.EINVALID, "link.invalid", "This link is not valid. It may have been used or have expired.")
}

// RequestEmailChange starts a change of the signed-in account's username
// (PROF-2): after the current password is checked (as in ChangePassword,
// rate limited, never counted towards LOGIN-5), a single-use link valid for
// EmailChangeTTL goes to newEmail, cfg.URL("/account/email/confirm?token=…"),
// and the account's older email-change links are voided. Nothing else
// changes until the link is used: the old address still signs in, the new
// one does not.
//
// The answer is the same whether or not newEmail belongs to another
// account, so the form never tells who has an account: the link is sent
// either way and ConfirmEmailChange refuses it for a taken address. Like
// every account email it is capped at MaxAccountMails per MailWindow to
// one address (then silently not sent, audited).
//
// Errors: FieldErrors (new_email required / email.invalid / email.same,
// current_password required / password.current_wrong), ETOOMANY
// "reauth.too_many".
func (s *Service) RequestEmailChange(ctx context.Context, accountID, newEmail, current string, m Meta) error {
	newEmail = strings.TrimSpace(newEmail)
	fe := FieldErrors{}
	key, ok := NormalizeEmail(newEmail)
	switch {
	case newEmail == "":
		fe[FieldNewEmail] = KeyRequired
	case !ok:
		fe[FieldNewEmail] = KeyEmailInvalid
	}
	if current == "" {
		fe[FieldCurrentPassword] = KeyRequired
	}
	if len(fe) > 0 {
		return fe
	}
	a, err := s.reauthenticate(ctx, accountID, current, domain.AuditEmailChangeFailed, m)
	if err != nil {
		return err
	}
	if key == a.EmailKey {
		return FieldErrors{FieldNewEmail: KeyEmailSame}
	}
	secret, digest := newSecret()
	now := s.clock.Now()
	link := &domain.Link{
		Digest: digest, Purpose: domain.LinkEmailChange, AccountID: a.ID, Data: newEmail,
		CreatedAt: now, ExpiresAt: now.Add(EmailChangeTTL),
	}
	msg, err := s.compose(newEmail, a.Language, TemplateEmailChange, map[string]any{
		"Link":         s.cfg.URL("/account/email/confirm?token=" + secret),
		"ExpiresHours": int(EmailChangeTTL / time.Hour),
	})
	if err != nil {
		return err
	}
	suppressed := false
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		suppressed = false
		if err := tx.VoidLinks(ctx, a.ID, domain.LinkEmailChange, now); err != nil {
			return fmt.Errorf("void email-change links: %w", err)
		}
		n, err := tx.CountMessagesTo(ctx, newEmail, now.Add(-MailWindow))
		if err != nil {
			return fmt.Errorf("count emails to the new address: %w", err)
		}
		if n >= MaxAccountMails {
			suppressed = true
			return s.audit(ctx, tx, domain.AuditMailSuppressed, a.ID, m, TemplateEmailChange)
		}
		if err := tx.CreateLink(ctx, link); err != nil {
			return fmt.Errorf("create email-change link: %w", err)
		}
		if err := tx.EnqueueMessage(ctx, msg); err != nil {
			return fmt.Errorf("enqueue email_change email: %w", err)
		}
		// The audit detail never names the new address's owner.
		return s.audit(ctx, tx, domain.AuditEmailChangeRequest, a.ID, m, "")
	})
	if err != nil {
		return fmt.Errorf("request email change: %w", err)
	}
	if suppressed {
		s.log.WarnContext(ctx, "email-change email suppressed: hourly limit reached", "account_id", a.ID)
	} else {
		s.log.InfoContext(ctx, "email change requested", "account_id", a.ID)
	}
	return nil
}

// ConfirmEmailChange uses the email-change link whose secret is given
// (PROF-2). In one transaction: the link is used, the new address becomes
// the account's username (Email as typed, EmailKey normalised, ACC-1),
// every other outstanding link of the account (activation, recovery,
// email change) is voided, the "email_changed_notice" email goes to the
// OLD address in the account's language, and the change is audited.
//
// Errors, after which nothing changes: EINVALID "link.invalid" for a link
// unknown, altered, used, expired, voided, of another purpose, or for an
// account that is not active; ECONFLICT "email_change.taken" when the new
// address belongs to another account by now (the link stays unused, so
// nobody learns more by trying again).
func (s *Service) ConfirmEmailChange(ctx context.Context, secret string, m Meta) (*domain.Account, error) {
	if secret == "" || len(secret) > maxSecretLen {
		return nil, errEmailChangeLinkInvalid()
	}
	digest := digestOf(secret)
	now := s.clock.Now()
	var a *domain.Account
	var oldEmail, accountID string
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		l, err := tx.LinkByDigest(ctx, digest)
		if domain.IsNotFound(err) {
			return errEmailChangeLinkInvalid()
		} else if err != nil {
			return err
		}
		if !sameDigest(l.Digest, digest) || l.Purpose != domain.LinkEmailChange {
			return errEmailChangeLinkInvalid()
		}
		if _, err := tx.UseLink(ctx, digest, now); domain.IsNotFound(err) {
			return errEmailChangeLinkInvalid()
		} else if err != nil {
			return err
		}
		accountID = l.AccountID
		if a, err = tx.AccountByID(ctx, l.AccountID); err != nil {
			return err
		}
		if a.Status != domain.StatusActive {
			return errEmailChangeLinkInvalid()
		}
		key, ok := NormalizeEmail(l.Data)
		if !ok {
			return errEmailChangeLinkInvalid()
		}
		if other, err := tx.AccountByEmailKey(ctx, key); err == nil && other.ID != a.ID {
			return errEmailTaken()
		} else if err != nil && !domain.IsNotFound(err) {
			return err
		}
		oldEmail = a.Email
		a.Email, a.EmailKey, a.UpdatedAt = l.Data, key, now
		if err := tx.UpdateAccount(ctx, a); domain.IsConflict(err) {
			return errEmailTaken()
		} else if err != nil {
			return err
		}
		if err := tx.VoidLinks(ctx, a.ID, "", now); err != nil {
			return fmt.Errorf("void links: %w", err)
		}
		msg, err := s.compose(oldEmail, a.Language, TemplateEmailChangedNotice, map[string]any{
			"ContactLink": s.cfg.URL("/contact"),
		})
		if err != nil {
			return err
		}
		if err := tx.EnqueueMessage(ctx, msg); err != nil {
			return fmt.Errorf("enqueue email_changed_notice email: %w", err)
		}
		return s.audit(ctx, tx, domain.AuditEmailChange, a.ID, m, "")
	})
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Key == KeyEmailTaken {
		if aerr := s.audit(ctx, s.store, domain.AuditEmailChangeFailed, accountID, m, "address taken at confirmation"); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "email changed", "account_id", a.ID)
	return a, nil
}

func errEmailTaken() *domain.Error {
	return errf(domain.ECONFLICT, KeyEmailTaken,
		"This email address is already the username of another account, so it cannot become yours.")
}
