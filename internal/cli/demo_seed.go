package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// The demo member: an invented person, so that the demo can be tried
// without signing up first. Her password is printed by `demo`; it is the
// only account whose password is known, and it exists only in demo data.
const (
	demoEmail     = "maria.demo@example.org"
	demoPassword  = "Demo-Member-2026"
	demoFirstName = "María"
	demoLastName  = "Demo"
)

// seedDemoMember makes sure the demo member exists, is active and
// unlocked, and has demoPassword, so that the sign-in demo prints always
// works. Running it again changes nothing that is already so.
func seedDemoMember(ctx context.Context, store domain.Store, cfg config.Config) error {
	if problems := password.CheckPolicy(cfg.Policy, demoPassword); len(problems) > 0 {
		return fmt.Errorf("the demo member's password does not meet the password policy (%s)", strings.Join(problems, ", "))
	}
	key, _ := accounts.NormalizeEmail(demoEmail)
	hasher := password.NewHasher(cfg.Argon2)
	now := time.Now().UTC()
	a, err := store.AccountByEmailKey(ctx, key)
	if domain.IsNotFound(err) {
		return createDemoMember(ctx, store, hasher, key, now)
	}
	if err != nil {
		return err
	}
	if a.Locked() {
		if err := store.SetLock(ctx, a.ID, nil, ""); err != nil {
			return err
		}
	}
	ok, _, err := hasher.Verify(a.PasswordHash, demoPassword)
	if err == nil && ok && a.Status == domain.StatusActive {
		return nil
	}
	if a.PasswordHash, err = hasher.Hash(demoPassword); err != nil {
		return err
	}
	a.Status, a.UpdatedAt, a.PasswordChangedAt = domain.StatusActive, now, now
	if a.ActivatedAt == nil {
		a.ActivatedAt = &now
	}
	return store.UpdateAccount(ctx, a)
}

// createDemoMember writes the demo member, active, with the audit event
// of an account creation.
func createDemoMember(ctx context.Context, store domain.Store, hasher *password.Hasher, key string, now time.Time) error {
	hash, err := hasher.Hash(demoPassword)
	if err != nil {
		return err
	}
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	a := &domain.Account{
		ID: hex.EncodeToString(id[:]), Email: demoEmail, EmailKey: key,
		FirstName: demoFirstName, LastName: demoLastName, Language: "en",
		PasswordHash: hash, Status: domain.StatusActive,
		CreatedAt: now, UpdatedAt: now, ActivatedAt: &now, PasswordChangedAt: now,
	}
	return store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &domain.AuditEvent{Time: now, Type: domain.AuditAccountCreate, AccountID: a.ID, Detail: "demo data"})
	})
}
