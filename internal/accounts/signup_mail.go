package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Mail bombing guard: an account gets at most MaxAccountMails emails in any
// MailWindow, counted from the outbox with the service's clock. Beyond
// that, sign-ups and resends answer the same but send nothing; the
// suppression is logged and audited (domain.AuditMailSuppressed).
const (
	MaxAccountMails = 3
	MailWindow      = time.Hour
)

// activation makes a new activation link for a carrying the sign-up d,
// and its email. The email greets no one by name: names are chosen by
// whoever fills in the form, and the address may not be theirs.
func (s *Service) activation(a *domain.Account, d signUpData) (*domain.Link, *domain.Message, error) {
	secret, digest := newSecret()
	now := s.clock.Now()
	link := &domain.Link{
		Digest: digest, Purpose: domain.LinkActivate, AccountID: a.ID, Data: d.encode(),
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.ActivationTTL),
	}
	msg, err := s.compose(a.Email, a.Language, TemplateActivate, map[string]any{
		"Link":        s.cfg.URL("/activate?token=" + secret),
		"ExpiresDays": days(s.cfg.ActivationTTL),
	})
	return link, msg, err
}

// mailExisting answers a sign-up (resend false) or a resend request
// (resend true) for an address that already has an account, in one
// transaction that reads the account again:
//   - pending: a new activation link carrying d, and its email. A resend
//     first voids the older activation links; a sign-up leaves them, so
//     each sign-up's own link stays usable until one of them activates.
//   - otherwise: for a sign-up an "account_exists" email, for a resend
//     nothing.
//
// Either email is suppressed when the account already got MaxAccountMails
// within MailWindow.
func (s *Service) mailExisting(ctx context.Context, accountID string, d signUpData, resend bool, m Meta) error {
	var sent, suppressed string
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		sent, suppressed = "", ""
		a, err := tx.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		template := TemplateAccountExists
		if a.Status == domain.StatusPending {
			template = TemplateActivate
		} else if resend {
			return nil
		}
		now := s.clock.Now()
		n, err := tx.CountMessagesTo(ctx, a.Email, now.Add(-MailWindow))
		if err != nil {
			return fmt.Errorf("count account emails: %w", err)
		}
		if n >= MaxAccountMails {
			suppressed = template
			return s.audit(ctx, tx, domain.AuditMailSuppressed, a.ID, m, template)
		}
		var msg *domain.Message
		if template == TemplateActivate {
			var link *domain.Link
			if link, msg, err = s.activation(a, d); err != nil {
				return err
			}
			if resend {
				if err := tx.VoidLinks(ctx, a.ID, domain.LinkActivate, now); err != nil {
					return fmt.Errorf("void activation links: %w", err)
				}
			}
			if err := tx.CreateLink(ctx, link); err != nil {
				return fmt.Errorf("create activation link: %w", err)
			}
		} else {
			msg, err = s.compose(a.Email, a.Language, TemplateAccountExists, map[string]any{
				"LoginLink": s.cfg.URL("/login"),
			})
			if err != nil {
				return err
			}
		}
		if err := tx.EnqueueMessage(ctx, msg); err != nil {
			return fmt.Errorf("enqueue %s email: %w", template, err)
		}
		sent = template
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case suppressed != "":
		s.log.WarnContext(ctx, "account email suppressed: hourly limit reached",
			"account_id", accountID, "template", suppressed, "limit", MaxAccountMails)
	case sent != "":
		s.log.InfoContext(ctx, "account email queued", "account_id", accountID, "template", sent, "resend", resend)
	}
	return nil
}
