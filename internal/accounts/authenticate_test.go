package accounts

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func TestLOGIN5_ConcurrentFailuresLockAtFive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	const attempts = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	keys := map[string]int{}
	for range attempts {
		wg.Go(func() {
			_, err := e.svc.Authenticate(ctx, "ana@example.com", "Wrong-Password-1", Meta{})
			var de *domain.Error
			key := "other: "
			if errors.As(err, &de) {
				key = de.Key
			} else if err != nil {
				key += err.Error()
			}
			mu.Lock()
			keys[key]++
			mu.Unlock()
		})
	}
	wg.Wait()
	// Exactly four failures come before the lock; every later attempt sees it.
	if keys[KeyLoginFailed] != domain.MaxFailedLogins-1 || keys[KeyLoginLocked] != attempts-domain.MaxFailedLogins+1 {
		t.Fatalf("outcomes %v: want %d login.failed and the rest login.locked", keys, domain.MaxFailedLogins-1)
	}
	got, err := e.store.AccountByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Locked() || got.LockReason != domain.LockFailedAttempts {
		t.Fatalf("account lock %v %q, want locked for failed attempts", got.LockedAt, got.LockReason)
	}
	if evs := e.audits(t, domain.AuditAccountLocked); len(evs) != 1 || evs[0].AccountID != a.ID {
		t.Errorf("account.locked events %+v, want exactly one", evs)
	}
	_, err = e.svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginLocked)
}

func TestLOGIN5_FifthFailureLocks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	for i := 1; i < domain.MaxFailedLogins; i++ {
		_, err := e.svc.Authenticate(ctx, "ana@example.com", "Wrong-Password-1", Meta{})
		wantKey(t, err, domain.EUNAUTHORIZED, KeyLoginFailed)
	}
	_, err := e.svc.Authenticate(ctx, "ana@example.com", "Wrong-Password-1", Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginLocked)
	_, err = e.svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginLocked)
	if n := len(e.audits(t, domain.AuditSignInFailure)); n != domain.MaxFailedLogins+1 {
		t.Errorf("%d signin.failure events, want %d", n, domain.MaxFailedLogins+1)
	}
	if n := len(e.audits(t, domain.AuditSignInSuccess)); n != 0 {
		t.Errorf("%d signin.success events for a locked account, want 0", n)
	}
}

func TestLOGIN5_SuccessResetsCount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	fail := func(n int) {
		t.Helper()
		for range n {
			_, err := e.svc.Authenticate(ctx, "ana@example.com", "Wrong-Password-1", Meta{})
			wantKey(t, err, domain.EUNAUTHORIZED, KeyLoginFailed)
		}
	}
	fail(domain.MaxFailedLogins - 1)
	a, err := e.svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{})
	if err != nil {
		t.Fatalf("success after 4 failures: %v", err)
	}
	if a.FailedLogins != 0 || a.LastLoginAt == nil || !a.LastLoginAt.Equal(t0) {
		t.Fatalf("after success: %d failures, last login %v; want 0 and now", a.FailedLogins, a.LastLoginAt)
	}
	fail(domain.MaxFailedLogins - 1)
	if a := e.account(t, "ana@example.com"); a.Locked() || a.FailedLogins != domain.MaxFailedLogins-1 {
		t.Fatalf("4 failures + success + 4 failures: locked %v, %d failures; want unlocked, 4", a.Locked(), a.FailedLogins)
	}
	if _, err := e.svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{}); err != nil {
		t.Fatalf("success after the second 4 failures: %v", err)
	}
}

// LOGIN-2: an unknown address and an active one with a wrong password get
// the same answer; so does an address that is not an address.
func TestLOGIN2_UnknownAddressFailsLikeWrongPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	_, known := e.svc.Authenticate(ctx, "ana@example.com", "Wrong-Password-1", Meta{})
	wantKey(t, known, domain.EUNAUTHORIZED, KeyLoginFailed)
	for _, email := range []string{"nobody@example.com", "not an address", ""} {
		_, err := e.svc.Authenticate(ctx, email, "Wrong-Password-1", Meta{})
		if err == nil || err.Error() != known.Error() {
			t.Errorf("Authenticate(%q) = %v, want exactly %v", email, err, known)
		}
	}
	if n := len(e.audits(t, domain.AuditSignInFailure)); n != 4 {
		t.Errorf("%d signin.failure events, want 4", n)
	}
}

// The same: an unknown address costs what a known one does (DummyVerify):
// the same argon2id work, counted by the hasher rather than timed.
func TestLOGIN2_UnknownAddressTakesAsLong(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	work := func(email string) uint64 {
		before := e.hash.Work()
		_, _ = e.svc.Authenticate(ctx, email, goodPassword+"x", Meta{})
		return e.hash.Work() - before
	}
	known, unknown := work("ana@example.com"), work("nobody@example.com")
	if known == 0 || unknown != known {
		t.Fatalf("unknown address did %d units of argon2id work, known %d: the difference tells them apart", unknown, known)
	}
}

func TestLOGIN2_StateRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.register(t, "pending@example.com")
	dis := e.active(t, "disabled@example.com")
	dis.Status = domain.StatusDisabled
	if err := e.store.UpdateAccount(ctx, dis); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		email, pw string
		code, key string
	}{
		{"pending@example.com", goodPassword, domain.EFORBIDDEN, KeyLoginPending},
		{"pending@example.com", "Wrong-Password-1", domain.EUNAUTHORIZED, KeyLoginFailed},
		{"disabled@example.com", goodPassword, domain.EFORBIDDEN, KeyLoginDisabled},
		{"disabled@example.com", "Wrong-Password-1", domain.EFORBIDDEN, KeyLoginDisabled},
	} {
		_, err := e.svc.Authenticate(ctx, tc.email, tc.pw, Meta{})
		wantKey(t, err, tc.code, tc.key)
	}
	if a := e.account(t, "disabled@example.com"); a.FailedLogins != 0 {
		t.Errorf("a disabled account counted %d failures, want 0", a.FailedLogins)
	}
}

func TestLOGIN_SuccessAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	want := e.active(t, "ana@example.com")
	m := Meta{IP: "198.51.100.7", UserAgent: "Firefox", ClientID: "member-portal"}
	a, err := e.svc.Authenticate(ctx, "  ANA@Example.COM", goodPassword, m)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != want.ID {
		t.Fatalf("signed in as %s, want %s", a.ID, want.ID)
	}
	evs := e.audits(t, domain.AuditSignInSuccess)
	if len(evs) != 1 || evs[0].AccountID != a.ID || evs[0].IP != m.IP || evs[0].ClientID != m.ClientID || !evs[0].Time.Equal(t0) {
		t.Fatalf("signin.success events %+v", evs)
	}
}

func TestLOGIN_CorruptHashIsInternal(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	a.PasswordHash = "$argon2id$garbage"
	if err := e.store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{})
	if domain.ErrorCode(err) != domain.EINTERNAL || strings.Contains(domain.ErrorMessage(err), "argon2") {
		t.Fatalf("Authenticate = %v, want EINTERNAL with a generic message", err)
	}
}

func TestPWD7_RehashUpgradedAtSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := e.active(t, "ana@example.com")
	stronger := config.Argon2{MemoryKiB: 9216, Iterations: 2, Parallelism: 1}
	svc := e.withHasher(stronger)
	e.clock.Advance(time.Hour)

	if _, err := svc.Authenticate(ctx, "ana@example.com", "Wrong-Password-1", Meta{}); err == nil {
		t.Fatal("wrong password accepted")
	}
	if a := e.account(t, "ana@example.com"); a.PasswordHash != before.PasswordHash {
		t.Fatal("a wrong password changed the stored hash")
	}
	if _, err := svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	after := e.account(t, "ana@example.com")
	if !strings.HasPrefix(after.PasswordHash, "$argon2id$v=19$m=9216,t=2,p=1$") {
		t.Fatalf("hash after sign-in %q, want the new parameters", after.PasswordHash)
	}
	if !after.PasswordChangedAt.Equal(before.PasswordChangedAt) {
		t.Errorf("PasswordChangedAt moved from %v to %v: a rehash is not a password change", before.PasswordChangedAt, after.PasswordChangedAt)
	}
	if _, err := svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{}); err != nil {
		t.Fatalf("sign-in with the upgraded hash: %v", err)
	}
	if a := e.account(t, "ana@example.com"); a.PasswordHash != after.PasswordHash {
		t.Error("a current hash was rehashed again")
	}
}

func TestPWD7_RehashToDefaultParameters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	svc := e.withHasher(config.Default().Argon2)
	if _, err := svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	a := e.account(t, "ana@example.com")
	if !strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q, want the default parameters m=19456,t=2,p=1", a.PasswordHash)
	}
	if _, err := svc.Authenticate(ctx, "ana@example.com", goodPassword, Meta{}); err != nil {
		t.Fatalf("sign-in with the default-parameter hash: %v", err)
	}
}
