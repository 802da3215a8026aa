package bench

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// benchRedirectURI is never served: the generator reads the code from
// the Location header of the redirect and does not follow it.
const benchRedirectURI = "http://127.0.0.1:1/cb"

// benchPassword is the password of every seeded account; it meets the
// default policy.
const benchPassword = "Bench-Password-1"

// seed writes, through the store, the two confidential clients the
// virtual users sign in to (the first by password, the second by single
// sign-on) and n active accounts with benchPassword. It is idempotent:
// the clients are replaced with new secrets and existing bench accounts
// are reset to active and unlocked with the password.
func seed(ctx context.Context, store domain.Store, hasher *password.Hasher, clock domain.Clock, n int) (first, second portal, people []account, err error) {
	first, err = seedClient(ctx, store, clock, "bench-member", "Bench Member portal", domain.PortalMember)
	if err != nil {
		return
	}
	second, err = seedClient(ctx, store, clock, "bench-provider", "Bench Provider portal", domain.PortalProvider)
	if err != nil {
		return
	}
	// One hash serves every account: they share the password, and the
	// cost measured is verification, not seeding.
	phc, err := hasher.Hash(benchPassword)
	if err != nil {
		return first, second, nil, fmt.Errorf("bench: hash: %w", err)
	}
	for i := range n {
		a := account{Email: fmt.Sprintf("bench-%04d@bench.entrykeyid.test", i+1), Password: benchPassword}
		if err = seedAccount(ctx, store, clock, a.Email, phc, i+1); err != nil {
			return
		}
		people = append(people, a)
	}
	return
}

func seedClient(ctx context.Context, store domain.Store, clock domain.Clock, id, name, portalType string) (portal, error) {
	secret := oidc.NewClientSecret()
	c := &domain.Client{
		ID:           id,
		Name:         name,
		SecretDigest: oidc.HashSecret(secret),
		RedirectURIs: []string{benchRedirectURI},
		PortalType:   portalType,
		CreatedAt:    clock.Now(),
	}
	err := store.DeleteClient(ctx, id)
	if err != nil && !domain.IsNotFound(err) {
		return portal{}, fmt.Errorf("bench: replace client %s: %w", id, err)
	}
	if err := store.CreateClient(ctx, c); err != nil {
		return portal{}, fmt.Errorf("bench: create client %s: %w", id, err)
	}
	return portal{ID: id, Secret: secret, RedirectURI: benchRedirectURI}, nil
}

func seedAccount(ctx context.Context, store domain.Store, clock domain.Clock, email, phc string, n int) error {
	key, ok := accounts.NormalizeEmail(email)
	if !ok {
		return fmt.Errorf("bench: %s is not an address", email)
	}
	now := clock.Now()
	a := &domain.Account{
		ID:                newID(),
		Email:             email,
		EmailKey:          key,
		FirstName:         "Bench",
		LastName:          fmt.Sprintf("User %d", n),
		Language:          "en",
		PasswordHash:      phc,
		Status:            domain.StatusActive,
		CreatedAt:         now,
		UpdatedAt:         now,
		ActivatedAt:       &now,
		PasswordChangedAt: now,
	}
	err := store.CreateAccount(ctx, a)
	if !domain.IsConflict(err) {
		if err != nil {
			return fmt.Errorf("bench: create account: %w", err)
		}
		return nil
	}
	old, err := store.AccountByEmailKey(ctx, key)
	if err != nil {
		return fmt.Errorf("bench: reset account: %w", err)
	}
	old.PasswordHash, old.Status, old.PasswordChangedAt, old.UpdatedAt = phc, domain.StatusActive, now, now
	if old.ActivatedAt == nil {
		old.ActivatedAt = &now
	}
	if err := store.UpdateAccount(ctx, old); err != nil {
		return fmt.Errorf("bench: reset account: %w", err)
	}
	if err := store.SetLock(ctx, old.ID, nil, ""); err != nil {
		return fmt.Errorf("bench: unlock account: %w", err)
	}
	return nil
}

// newID returns a random UUID (version 4), the form of account ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
