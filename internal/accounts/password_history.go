package accounts

import (
	"context"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// KeyPasswordReused is the field message of a new password that is one of
// the account's last cfg.Lifecycle.PasswordHistory passwords (PWD-2).
const KeyPasswordReused = "password.reused"

// CheckHistory reports, through st, whether newPassword may become the
// account's password under the history depth setting (PWD-2): with depth 0
// (the default) every password may, the previous one included; with depth
// N it must differ from the current password and the N-1 before it (the
// N latest recorded hashes and the current one). A reused password gives
// FieldErrors{"password": "password.reused"}. Each compared hash costs one
// argon2id verification.
func (s *Service) CheckHistory(ctx context.Context, st domain.Store, accountID, newPassword string) error {
	depth := s.cfg.Lifecycle.PasswordHistory
	if depth <= 0 {
		return nil
	}
	a, err := st.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	hashes, err := st.PasswordHistory(ctx, accountID, depth)
	if err != nil {
		return fmt.Errorf("password history: %w", err)
	}
	if len(hashes) == 0 || hashes[0] != a.PasswordHash {
		// The current password counts even when it predates the history.
		hashes = append([]string{a.PasswordHash}, hashes...)
	}
	if len(hashes) > depth {
		hashes = hashes[:depth]
	}
	for _, h := range hashes {
		ok, _, err := s.hasher.Verify(h, newPassword)
		if err != nil {
			s.log.WarnContext(ctx, "password history: unreadable hash skipped", "account_id", accountID, "err", err)
			continue
		}
		if ok {
			return FieldErrors{"password": KeyPasswordReused}
		}
	}
	return nil
}

// RecordHistory records, through st, the hash of a password the account
// has just been given, for CheckHistory. With depth 0 it records nothing.
func (s *Service) RecordHistory(ctx context.Context, st domain.Store, accountID, hash string) error {
	if s.cfg.Lifecycle.PasswordHistory <= 0 {
		return nil
	}
	if err := st.AddPasswordHistory(ctx, accountID, hash, s.clock.Now()); err != nil {
		return fmt.Errorf("record password history: %w", err)
	}
	return nil
}
