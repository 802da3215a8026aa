package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Email templates of self-service recovery.
const (
	TemplateRecover           = "recover"             // data: Link, ExpiresMinutes
	TemplatePasswordResetDone = "password_reset_done" // data: LoginLink
)

// Recovery limits (REC-2, REC-3).
//
// A recovery link is valid for RecoveryTTL (59:59 valid, 60:00 refused).
// The screens offer MaxRecoveryResends resends after the first email;
// after that they tell the user to contact support. Whatever the screens
// are asked, one account gets at most MaxRecoveryMails recovery emails in
// any RecoveryMailWindow (a sliding window on the injected clock, counted
// from the account's domain.AuditRecoverRequest events, which commit with
// the emails); further requests send nothing and are audited as
// domain.AuditMailSuppressed.
//
// The window is as long as a link lives, so the owner of an address is
// never left without a way back in (issue 3 item 7): when a request is
// refused, the newest of the emails that fill the window was sent less
// than an hour ago, so its link still works. Someone who types the
// address over and over only fills the owner's inbox with at most four
// emails an hour, each voiding the one before.
const (
	RecoveryTTL        = time.Hour
	MaxRecoveryResends = 3
	MaxRecoveryMails   = 1 + MaxRecoveryResends
	RecoveryMailWindow = RecoveryTTL
)

// Message keys of recovery errors.
const (
	KeyRecoverInvalid        = "recover.invalid"         // unknown, altered, truncated, used, voided or expired link
	KeyRecoverDisabled       = "recover.disabled"        // REC-5
	KeyRecoverContactSupport = "recover.contact_support" // REC-3: resends spent
)

func errRecoverInvalid() *domain.Error {
	return errf(domain.EINVALID, KeyRecoverInvalid,
		"This recovery link is not valid. It may have been used, replaced by a newer one, or have expired. Ask for a new link.")
}

func errRecoverDisabled() *domain.Error {
	return errf(domain.EFORBIDDEN, KeyRecoverDisabled, "This account is disabled. Contact us.")
}

func errContactSupport() *domain.Error {
	return errf(domain.ETOOMANY, KeyRecoverContactSupport, "The email cannot be sent again. Contact us.")
}

// recoveryData is what a recovery link stores beside its digest: the
// address it was sent to (a link for an address that is no longer the
// account's does not work).
type recoveryData struct {
	EmailKey string `json:"email_key"`
}

func readRecoveryData(s string) (recoveryData, error) {
	var d recoveryData
	err := json.Unmarshal([]byte(s), &d)
	return d, err
}

func (d recoveryData) encode() string {
	b, _ := json.Marshal(d) // plain fields: cannot fail
	return string(b)
}

// StartRecovery answers "Trouble logging in?" for an email address
// (REC-1). It returns nil whatever the address, so the screen never tells
// who has an account, and every address costs one write transaction:
//
//   - active, locked, expired or otherwise recoverable, and disabled: a
//     new recovery link (older ones voided, REC-2) and its email in the
//     account's language, audited. A disabled account gets the email
//     too: its link opens on the disabled-account message (REC-5);
//   - pending activation: the activation email again (ResendActivation),
//     which is the way forward for it;
//   - malformed or unknown: nothing is sent; the request is audited
//     without an account.
//
// Emails are capped (MaxRecoveryMails per RecoveryMailWindow per account).
func (s *Service) StartRecovery(ctx context.Context, email string, m Meta) error {
	return s.recover(ctx, email, "start", m)
}

// ResendRecovery answers the Resend button of the check-email screen
// (REC-2, REC-3). resends is how many times this screen has re-sent so far;
// once it reaches MaxRecoveryResends the answer is *domain.Error ETOOMANY
// "recover.contact_support" and nothing is done, for every address alike.
// Otherwise it does what StartRecovery does: the new link voids the older.
func (s *Service) ResendRecovery(ctx context.Context, email string, resends int, m Meta) error {
	if resends >= MaxRecoveryResends || resends < 0 {
		return errContactSupport()
	}
	return s.recover(ctx, email, "resend", m)
}

func (s *Service) recover(ctx context.Context, email, detail string, m Meta) error {
	key, ok := NormalizeEmail(email)
	var a *domain.Account
	if ok {
		var err error
		a, err = s.store.AccountByEmailKey(ctx, key)
		if err != nil && !domain.IsNotFound(err) {
			return err
		}
	}
	if a == nil {
		// Same kind of work as a real request: one audited transaction.
		return s.audit(ctx, s.store, domain.AuditRecoverRequest, "", m, detail+": no account")
	}
	if a.Status == domain.StatusPending {
		return s.ResendActivation(ctx, email, m)
	}
	var sent bool
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		var err error
		sent, err = s.sendRecovery(ctx, tx, a.ID, detail, m)
		return err
	})
	if err != nil {
		return fmt.Errorf("recovery email: %w", err)
	}
	if sent {
		s.log.InfoContext(ctx, "recovery email queued", "account_id", a.ID, "request", detail)
	} else {
		s.log.WarnContext(ctx, "recovery email suppressed: limit reached", "account_id", a.ID, "limit", MaxRecoveryMails)
	}
	return nil
}

// sendRecovery, within tx, voids the account's recovery links and sends a
// new one, unless the account's mail window is full (then it audits the
// suppression and reports false).
func (s *Service) sendRecovery(ctx context.Context, tx domain.Store, accountID, detail string, m Meta) (bool, error) {
	a, err := tx.AccountByID(ctx, accountID)
	if err != nil {
		return false, err
	}
	now := s.clock.Now()
	// On PostgreSQL this takes the per-address lock, so that concurrent
	// requests for one account count their window one after another.
	if _, err := tx.CountMessagesTo(ctx, a.Email, now); err != nil {
		return false, fmt.Errorf("lock address: %w", err)
	}
	full, err := s.recoveryWindowFull(ctx, tx, a.ID, now)
	if err != nil {
		return false, err
	}
	if full {
		return false, s.audit(ctx, tx, domain.AuditMailSuppressed, a.ID, m, TemplateRecover)
	}
	d := recoveryData{EmailKey: a.EmailKey}
	secret, digest := newSecret()
	msg, err := s.compose(a.Email, a.Language, TemplateRecover, map[string]any{
		"Link":           s.cfg.URL("/recover?token=" + secret),
		"ExpiresMinutes": int(RecoveryTTL / time.Minute),
	})
	if err != nil {
		return false, err
	}
	if err := tx.VoidLinks(ctx, a.ID, domain.LinkRecover, now); err != nil {
		return false, fmt.Errorf("void recovery links: %w", err)
	}
	l := &domain.Link{
		Digest: digest, Purpose: domain.LinkRecover, AccountID: a.ID, Data: d.encode(),
		CreatedAt: now, ExpiresAt: now.Add(RecoveryTTL),
	}
	if err := tx.CreateLink(ctx, l); err != nil {
		return false, fmt.Errorf("create recovery link: %w", err)
	}
	if err := tx.EnqueueMessage(ctx, msg); err != nil {
		return false, fmt.Errorf("enqueue recovery email: %w", err)
	}
	return true, s.audit(ctx, tx, domain.AuditRecoverRequest, a.ID, m, detail)
}

// recoveryWindowFull reports whether the account was sent MaxRecoveryMails
// recovery emails within RecoveryMailWindow before now (after now-window).
func (s *Service) recoveryWindowFull(ctx context.Context, tx domain.Store, accountID string, now time.Time) (bool, error) {
	evs, err := tx.ListAudit(ctx, domain.AuditFilter{AccountID: accountID, Type: domain.AuditRecoverRequest, Limit: MaxRecoveryMails})
	if err != nil {
		return false, fmt.Errorf("count recovery emails: %w", err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Time.After(now.Add(-RecoveryMailWindow)) {
			n++
		}
	}
	return n >= MaxRecoveryMails, nil
}
