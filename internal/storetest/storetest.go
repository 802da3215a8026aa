// Package storetest is the conformance suite every domain.Store passes.
// Each backend's tests call Run with a function that returns a fresh,
// migrated, empty store; every subtest gets its own.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// t0 is the suite's "now". It has whole seconds so every backend keeps it
// exactly.
var t0 = time.Date(2030, 6, 15, 10, 0, 0, 0, time.UTC)

type suiteTest struct {
	name string
	fn   func(t *testing.T, s domain.Store)
}

// Run runs every conformance test as a named subtest, each on a store
// returned by newStore (which should register its own cleanup).
func Run(t *testing.T, newStore func(t *testing.T) domain.Store) {
	var all []suiteTest
	all = append(all, accountTests...)
	all = append(all, lockoutTests...)
	all = append(all, linkTests...)
	all = append(all, sessionTests...)
	all = append(all, clientTests...)
	all = append(all, authRequestTests...)
	all = append(all, tokenTests...)
	all = append(all, sessionClientTests...)
	all = append(all, logoutTests...)
	all = append(all, keyAuditTests...)
	all = append(all, outboxTests...)
	all = append(all, lifecycleTests...)
	all = append(all, txTests...)
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// newID returns a random identifier with a readable prefix.
func newID(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

func ptr[T any](v T) *T { return &v }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries the domain error code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("%s: error code %q (%v), want %q", what, got, err, code)
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("%s: %v is not a *domain.Error", what, err)
	}
}

// equal fails when got and want differ.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func sameTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func newAccount(key string) *domain.Account {
	return &domain.Account{
		ID:                newID("acct"),
		Email:             key,
		EmailKey:          key,
		FirstName:         "Ana",
		LastName:          "Díaz",
		Language:          "es",
		PasswordHash:      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		Status:            domain.StatusActive,
		CreatedAt:         t0,
		UpdatedAt:         t0,
		PasswordChangedAt: t0,
	}
}

func createAccount(t *testing.T, s domain.Store) *domain.Account {
	t.Helper()
	a := newAccount(newID("user") + "@example.com")
	must(t, s.CreateAccount(context.Background(), a))
	return a
}

func createClient(t *testing.T, s domain.Store) *domain.Client {
	t.Helper()
	c := &domain.Client{
		ID:           newID("client"),
		Name:         "Member portal",
		SecretDigest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		RedirectURIs: []string{"https://member.example/callback"},
		PortalType:   domain.PortalMember,
		CreatedAt:    t0,
	}
	must(t, s.CreateClient(context.Background(), c))
	return c
}

// parallel runs fn(i) for i in [0, n) at once and waits for all.
func parallel(n int, fn func(i int)) {
	start := make(chan struct{})
	done := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			fn(i)
		}()
	}
	close(start)
	for i := 0; i < n; i++ {
		<-done
	}
}

// sec returns n seconds.
func sec(n int) time.Duration { return time.Duration(n) * time.Second }
