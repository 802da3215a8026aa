package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var lifecycleTests = []suiteTest{
	{"Lifecycle/LeaseOneHolderAtATime", testLeaseOneHolder},
	{"Lifecycle/LeaseConcurrentTakersOneWins", testLeaseConcurrent},
	{"Lifecycle/AccountLifecycleFieldsRoundTrip", testLifecycleFields},
	{"Lifecycle/UnlockKeepsLastLockAt", testUnlockKeepsLastLock},
	{"Lifecycle/PasswordHistoryNewestFirst", testPasswordHistory},
	{"Lifecycle/ActiveAccountsPages", testActiveAccounts},
	{"Lifecycle/ExpiryWarnedOncePerPassword", testExpiryWarned},
}

func testLeaseOneHolder(t *testing.T, s domain.Store) {
	ctx := context.Background()
	take := func(holder string, now time.Time) bool {
		t.Helper()
		ok, err := s.TryLease(ctx, "sweep", holder, now, time.Minute)
		must(t, err)
		return ok
	}
	if !take("a", t0) {
		t.Fatal("a free lease was refused")
	}
	if take("b", t0.Add(59*time.Second)) {
		t.Error("b took a's live lease")
	}
	if !take("a", t0.Add(30*time.Second)) {
		t.Error("a could not renew its own lease")
	}
	// a's renewal lives until 1:30.
	if take("b", t0.Add(89*time.Second)) {
		t.Error("b took a's renewed lease before it expired")
	}
	if !take("b", t0.Add(90*time.Second)) {
		t.Error("b could not take an expired lease")
	}
	if take("a", t0.Add(100*time.Second)) {
		t.Error("a took b's live lease")
	}
	ok, err := s.TryLease(ctx, "other", "a", t0.Add(100*time.Second), time.Minute)
	must(t, err)
	if !ok {
		t.Error("leases of other names are independent")
	}
}

func testLeaseConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	var won atomic.Int32
	parallel(20, func(i int) {
		ok, err := s.TryLease(ctx, "race", fmt.Sprintf("node-%d", i), t0, time.Minute)
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
		if ok {
			won.Add(1)
		}
	})
	if n := won.Load(); n != 1 {
		t.Errorf("%d holders took the lease at once, want 1", n)
	}
}

func testLifecycleFields(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := newAccount(newID("life") + "@example.com")
	a.Type = domain.AccountNonMember
	must(t, s.CreateAccount(ctx, a))
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	if got.Type != domain.AccountNonMember || got.RecoveryReason != "" || got.RecoveryDeadline != nil {
		t.Fatalf("created: type %q reason %q deadline %v", got.Type, got.RecoveryReason, got.RecoveryDeadline)
	}
	at, deadline := t0.Add(time.Minute), t0.Add(time.Hour+time.Minute)
	got.Type, got.RecoveryReason, got.RecoveryRequiredAt, got.RecoveryDeadline = domain.AccountMember, domain.RecoveryAdminReset, &at, &deadline
	must(t, s.UpdateAccount(ctx, got))
	again, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	if again.Type != domain.AccountMember || again.RecoveryReason != domain.RecoveryAdminReset ||
		again.RecoveryRequiredAt == nil || !again.RecoveryRequiredAt.Equal(at) ||
		again.RecoveryDeadline == nil || !again.RecoveryDeadline.Equal(deadline) {
		t.Errorf("updated: %+v", again)
	}
}

func testUnlockKeepsLastLock(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	lockAt := t0.Add(time.Hour)
	must(t, s.SetLock(ctx, a.ID, &lockAt, domain.LockDormant))
	must(t, s.SetLock(ctx, a.ID, nil, ""))
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	if got.Locked() || got.LastLockAt == nil || !got.LastLockAt.Equal(lockAt) {
		t.Fatalf("after unlock: locked %v, last lock %v, want %v", got.Locked(), got.LastLockAt, lockAt)
	}
	// Unlocking an unlocked account keeps the time.
	must(t, s.SetLock(ctx, a.ID, nil, ""))
	got, err = s.AccountByID(ctx, a.ID)
	must(t, err)
	if got.LastLockAt == nil || !got.LastLockAt.Equal(lockAt) {
		t.Errorf("second unlock: last lock %v", got.LastLockAt)
	}
}

func testPasswordHistory(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a, b := createAccount(t, s), createAccount(t, s)
	for i, h := range []string{"h1", "h2", "h3"} {
		must(t, s.AddPasswordHistory(ctx, a.ID, h, t0.Add(time.Duration(i)*time.Second)))
	}
	must(t, s.AddPasswordHistory(ctx, b.ID, "other", t0))
	got, err := s.PasswordHistory(ctx, a.ID, 2)
	must(t, err)
	if len(got) != 2 || got[0] != "h3" || got[1] != "h2" {
		t.Errorf("history = %v, want [h3 h2]", got)
	}
	none, err := s.PasswordHistory(ctx, newID("nobody"), 5)
	must(t, err)
	if len(none) != 0 {
		t.Errorf("unknown account history = %v", none)
	}
}

func testActiveAccounts(t *testing.T, s domain.Store) {
	ctx := context.Background()
	want := map[string]bool{}
	for range 5 {
		want[createAccount(t, s).ID] = true
	}
	p := newAccount(newID("pending") + "@example.com")
	p.Status = domain.StatusPending
	must(t, s.CreateAccount(ctx, p))
	seen := map[string]bool{}
	after := ""
	for {
		page, err := s.ActiveAccounts(ctx, after, 2)
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, a := range page {
			if a.ID <= after || seen[a.ID] {
				t.Fatalf("page out of order or repeated at %s", a.ID)
			}
			seen[a.ID] = true
			after = a.ID
		}
	}
	if seen[p.ID] || len(seen) != len(want) {
		t.Errorf("walked %d accounts (pending included: %v), want %d", len(seen), seen[p.ID], len(want))
	}
}

func testExpiryWarned(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	var won atomic.Int32
	parallel(10, func(int) {
		ok, err := s.MarkExpiryWarned(ctx, a.ID, t0.Add(time.Hour))
		if err != nil {
			t.Error(err)
		}
		if ok {
			won.Add(1)
		}
	})
	if won.Load() != 1 {
		t.Fatalf("%d callers marked the warning, want 1", won.Load())
	}
	// A new password makes a warning due again, once.
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	got.PasswordChangedAt = t0.Add(2 * time.Hour)
	must(t, s.UpdateAccount(ctx, got))
	for i, want := range []bool{true, false} {
		ok, err := s.MarkExpiryWarned(ctx, a.ID, t0.Add(3*time.Hour))
		must(t, err)
		if ok != want {
			t.Errorf("after the change, call %d: %v, want %v", i, ok, want)
		}
	}
}
