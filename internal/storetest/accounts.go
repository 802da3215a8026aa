package storetest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var accountTests = []suiteTest{
	{"Account/CreateAndGet", testAccountCreateGet},
	{"Account/CreateConflict", testAccountCreateConflict},
	{"Account/ConcurrentCreateSameKey", testAccountConcurrentCreate},
	{"Account/Update", testAccountUpdate},
	{"Account/Missing", testAccountMissing},
}

func testAccountCreateGet(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := newAccount("ana.diaz@example.com")
	a.Email = "Ana.Diaz@Example.com"
	a.Phone, a.Fax = "+1 555 0100", "+1 555 0101"
	a.FailedLogins = 2
	a.LockedAt, a.LockReason = ptr(t0.Add(-sec(3))), domain.LockDormant
	a.ActivatedAt = ptr(t0.Add(-sec(2)))
	a.LastLoginAt = ptr(t0.Add(-sec(1)))
	must(t, s.CreateAccount(ctx, a))

	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	equal(t, "by id", got, a)
	got, err = s.AccountByEmailKey(ctx, a.EmailKey)
	must(t, err)
	equal(t, "by email key", got, a)

	n, err := s.CountAccounts(ctx)
	must(t, err)
	equal(t, "count", n, 1)
}

func testAccountCreateConflict(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)

	sameKey := newAccount(a.EmailKey)
	wantCode(t, s.CreateAccount(ctx, sameKey), domain.ECONFLICT, "same email key")

	sameID := newAccount("other@example.com")
	sameID.ID = a.ID
	wantCode(t, s.CreateAccount(ctx, sameID), domain.ECONFLICT, "same id")

	n, err := s.CountAccounts(ctx)
	must(t, err)
	equal(t, "count", n, 1)
}

// Two sign-ups with the same address at once leave one account; the
// other gets ECONFLICT (ACC-1).
func testAccountConcurrentCreate(t *testing.T, s domain.Store) {
	ctx := context.Background()
	const n = 8
	var ok, conflict atomic.Int32
	parallel(n, func(i int) {
		err := s.CreateAccount(ctx, newAccount("same@example.com"))
		switch domain.ErrorCode(err) {
		case "":
			ok.Add(1)
		case domain.ECONFLICT:
			conflict.Add(1)
		default:
			t.Errorf("create %d: %v", i, err)
		}
	})
	equal(t, "created", ok.Load(), int32(1))
	equal(t, "conflicts", conflict.Load(), int32(n-1))
	count, err := s.CountAccounts(ctx)
	must(t, err)
	equal(t, "count", count, 1)
}

func testAccountUpdate(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	other := createAccount(t, s)
	_, err := s.RecordLoginFailure(ctx, a.ID, t0, domain.MaxFailedLogins)
	must(t, err)

	u := *a
	u.Email, u.EmailKey = "New@Example.com", "new@example.com"
	u.FirstName, u.LastName, u.Language = "Ann", "Diaz", "en"
	u.Phone, u.Fax = "1", "2"
	u.PasswordHash = "$argon2id$new"
	u.Status = domain.StatusDisabled
	u.UpdatedAt = t0.Add(sec(1))
	u.ActivatedAt = ptr(t0.Add(sec(2)))
	u.PasswordChangedAt = t0.Add(sec(3))
	// Not written by UpdateAccount: the failure count, lock and last login.
	u.FailedLogins = 99
	u.LockedAt, u.LockReason = ptr(t0), domain.LockDormant
	u.LastLoginAt = ptr(t0)
	must(t, s.UpdateAccount(ctx, &u))

	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	want := u
	want.FailedLogins, want.LockedAt, want.LockReason, want.LastLoginAt = 1, nil, "", nil
	equal(t, "updated", got, &want)
	if _, err := s.AccountByEmailKey(ctx, a.EmailKey); !domain.IsNotFound(err) {
		t.Fatalf("old email key still finds the account: %v", err)
	}

	u.EmailKey = other.EmailKey
	wantCode(t, s.UpdateAccount(ctx, &u), domain.ECONFLICT, "update to a taken key")

	missing := newAccount("missing@example.com")
	wantCode(t, s.UpdateAccount(ctx, missing), domain.ENOTFOUND, "update missing")
}

func testAccountMissing(t *testing.T, s domain.Store) {
	ctx := context.Background()
	_, err := s.AccountByID(ctx, "nobody")
	wantCode(t, err, domain.ENOTFOUND, "by id")
	_, err = s.AccountByEmailKey(ctx, "nobody@example.com")
	wantCode(t, err, domain.ENOTFOUND, "by key")
	if !strings.Contains(domain.ErrorMessage(err), "not found") {
		t.Fatalf("message %q", domain.ErrorMessage(err))
	}
	n, err := s.CountAccounts(ctx)
	must(t, err)
	equal(t, "count", n, 0)
}
