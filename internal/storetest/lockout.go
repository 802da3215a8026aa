package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var lockoutTests = []suiteTest{
	{"Lockout/LOGIN5_FiftyConcurrentFailures", testLockoutConcurrent},
	{"Lockout/SequentialLocksAtMax", testLockoutSequential},
	{"Lockout/AlreadyLockedIsNotJustLocked", testLockoutAlreadyLocked},
	{"Lockout/SuccessResets", testLockoutSuccessResets},
	{"Lockout/SetLock", testSetLock},
	{"Lockout/Missing", testLockoutMissing},
}

// Fifty wrong passwords at once count exactly fifty, and exactly one of
// them, the fifth, locks the account (LOGIN-5).
func testLockoutConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	const n = 50
	var mu sync.Mutex
	seen := map[int]domain.FailureResult{}
	parallel(n, func(i int) {
		r, err := s.RecordLoginFailure(ctx, a.ID, t0, domain.MaxFailedLogins)
		if err != nil {
			t.Errorf("failure %d: %v", i, err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if _, dup := seen[r.FailedLogins]; dup {
			t.Errorf("count %d returned twice", r.FailedLogins)
		}
		seen[r.FailedLogins] = r
	})
	justLocked := 0
	for count := 1; count <= n; count++ {
		r, ok := seen[count]
		if !ok {
			t.Fatalf("no call saw count %d", count)
		}
		if r.Locked != (count >= domain.MaxFailedLogins) {
			t.Errorf("count %d: Locked %v", count, r.Locked)
		}
		if r.JustLocked {
			justLocked++
			equal(t, "count that locked", count, domain.MaxFailedLogins)
		}
	}
	equal(t, "calls that locked", justLocked, 1)

	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	equal(t, "failed logins", got.FailedLogins, n)
	sameTime(t, "locked at", got.LockedAt, t0)
	equal(t, "lock reason", got.LockReason, domain.LockFailedAttempts)
}

func testLockoutSequential(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	for i := 1; i <= 7; i++ {
		now := t0.Add(sec(i))
		r, err := s.RecordLoginFailure(ctx, a.ID, now, 5)
		must(t, err)
		want := domain.FailureResult{FailedLogins: i, Locked: i >= 5, JustLocked: i == 5}
		equal(t, "result", r, want)
	}
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	sameTime(t, "locked at the fifth", got.LockedAt, t0.Add(sec(5)))
}

// A failure on an account locked for another reason counts but does not
// relock it or change the reason.
func testLockoutAlreadyLocked(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	must(t, s.SetLock(ctx, a.ID, ptr(t0), domain.LockDormant))
	for i := 1; i <= 6; i++ {
		r, err := s.RecordLoginFailure(ctx, a.ID, t0.Add(sec(i)), 5)
		must(t, err)
		equal(t, "result", r, domain.FailureResult{FailedLogins: i, Locked: true})
	}
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	sameTime(t, "locked at", got.LockedAt, t0)
	equal(t, "reason", got.LockReason, domain.LockDormant)
}

func testLockoutSuccessResets(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	for range 4 {
		_, err := s.RecordLoginFailure(ctx, a.ID, t0, 5)
		must(t, err)
	}
	must(t, s.RecordLoginSuccess(ctx, a.ID, t0.Add(sec(1))))
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	equal(t, "failed logins", got.FailedLogins, 0)
	sameTime(t, "last login", got.LastLoginAt, t0.Add(sec(1)))

	r, err := s.RecordLoginFailure(ctx, a.ID, t0, 5)
	must(t, err)
	equal(t, "after reset", r, domain.FailureResult{FailedLogins: 1})
}

func testSetLock(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	for range 5 {
		_, err := s.RecordLoginFailure(ctx, a.ID, t0, 5)
		must(t, err)
	}
	must(t, s.SetLock(ctx, a.ID, nil, ""))
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	if got.LockedAt != nil || got.LockReason != "" || got.FailedLogins != 0 {
		t.Fatalf("after unlock: locked %v reason %q failures %d", got.LockedAt, got.LockReason, got.FailedLogins)
	}

	// Once unlocked, five more failures lock it again.
	var last domain.FailureResult
	for range 5 {
		last, err = s.RecordLoginFailure(ctx, a.ID, t0.Add(sec(1)), 5)
		must(t, err)
	}
	equal(t, "relocked", last, domain.FailureResult{FailedLogins: 5, Locked: true, JustLocked: true})

	must(t, s.SetLock(ctx, a.ID, ptr(t0.Add(sec(2))), domain.LockExpired))
	got, err = s.AccountByID(ctx, a.ID)
	must(t, err)
	sameTime(t, "locked at", got.LockedAt, t0.Add(sec(2)))
	equal(t, "reason", got.LockReason, domain.LockExpired)
}

func testLockoutMissing(t *testing.T, s domain.Store) {
	ctx := context.Background()
	_, err := s.RecordLoginFailure(ctx, "nobody", t0, 5)
	wantCode(t, err, domain.ENOTFOUND, "failure")
	wantCode(t, s.RecordLoginSuccess(ctx, "nobody", t0), domain.ENOTFOUND, "success")
	wantCode(t, s.SetLock(ctx, "nobody", nil, ""), domain.ENOTFOUND, "unlock")
	wantCode(t, s.SetLock(ctx, "nobody", ptr(t0), domain.LockDormant), domain.ENOTFOUND, "lock")
}
