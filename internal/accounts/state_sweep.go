package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// TemplateExpiryWarning is the PWD-8 expiry warning email; data: Days,
// ExpiresOn (YYYY-MM-DD, UTC), ChangeLink.
const TemplateExpiryWarning = "password_expiry_warning"

// sweepPage is how many accounts one store read of the sweep returns.
const sweepPage = 500

// SweepResult counts what one Sweep did.
type SweepResult struct {
	Checked, Expired, Dormant, Warned int
}

// Sweep walks every active account once and, at the clock's now:
//   - stores the lock of a password that has expired (PWD-3) or of an
//     account gone dormant (PWD-4) that the row does not hold yet, audited
//     as at sign-in;
//   - when cfg.Lifecycle.ExpiryWarningDays > 0, queues the expiry warning
//     email of a password that expires within that many days (PWD-8),
//     audited as domain.AuditExpiryWarning.
//
// It is idempotent: a lock already stored is not stored again, and a
// warning is sent once per password, whoever runs the sweep and however
// often (store.MarkExpiryWarned and the email commit in one transaction).
// The server runs it under a database lease so that one node sweeps at a
// time (internal/server/sweeper.go); running it on several nodes at once
// is still safe.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	after := ""
	for {
		page, err := s.store.ActiveAccounts(ctx, after, sweepPage)
		if err != nil {
			return res, fmt.Errorf("sweep: %w", err)
		}
		for _, a := range page {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			after = a.ID
			res.Checked++
			if err := s.sweepOne(ctx, a, &res); err != nil {
				return res, fmt.Errorf("sweep account %s: %w", a.ID, err)
			}
		}
		if len(page) < sweepPage {
			return res, nil
		}
	}
}

func (s *Service) sweepOne(ctx context.Context, a *domain.Account, res *SweepResult) error {
	wasLocked := a.Locked()
	st, r, err := s.applyState(ctx, a, Meta{})
	if err != nil {
		return err
	}
	switch {
	case wasLocked:
	case st == StatePasswordExpired:
		res.Expired++
	case st == StateLocked && r == ReasonDormant:
		res.Dormant++
	}
	if st != StateActive {
		return nil
	}
	sent, err := s.warnExpiry(ctx, a)
	if sent {
		res.Warned++
	}
	return err
}

// warnExpiry queues the expiry warning of a when it is due and not yet
// sent for the current password, and reports whether it did.
func (s *Service) warnExpiry(ctx context.Context, a *domain.Account) (bool, error) {
	warnDays := s.cfg.Lifecycle.ExpiryWarningDays
	if warnDays <= 0 {
		return false, nil
	}
	set, ok := PasswordSetAt(a)
	if !ok {
		return false, nil
	}
	now := s.clock.Now()
	expires := set.Add(s.cfg.Lifecycle.PasswordMaxAge(a.Type))
	if now.Before(expires.Add(-time.Duration(warnDays)*24*time.Hour)) || !now.Before(expires) {
		return false, nil
	}
	if a.ExpiryWarnedAt != nil && !a.ExpiryWarnedAt.Before(a.PasswordChangedAt) {
		return false, nil // already warned for this password
	}
	msg, err := s.compose(a.Email, a.Language, TemplateExpiryWarning, map[string]any{
		"Days":       days(expires.Sub(now)),
		"ExpiresOn":  expires.UTC().Format(time.DateOnly),
		"ChangeLink": s.cfg.URL("/account/password"),
	})
	if err != nil {
		return false, err
	}
	var sent bool
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		ok, err := tx.MarkExpiryWarned(ctx, a.ID, now)
		if err != nil || !ok {
			return err
		}
		if err := tx.EnqueueMessage(ctx, msg); err != nil {
			return fmt.Errorf("enqueue expiry warning: %w", err)
		}
		sent = true
		return s.audit(ctx, tx, domain.AuditExpiryWarning, a.ID, Meta{}, expires.UTC().Format(time.DateOnly))
	})
	if err != nil {
		return false, err
	}
	if sent {
		s.log.InfoContext(ctx, "password expiry warning queued", "account_id", a.ID)
	}
	return sent, nil
}
