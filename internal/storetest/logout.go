package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var logoutTests = []suiteTest{
	{"Logout/EnqueueOncePerClientAndSession", testEnqueueLogoutOnce},
	{"Logout/ClaimFailDone", testClaimLogouts},
	{"Logout/ClaimConcurrent", testClaimLogoutsConcurrent},
	{"Logout/EnqueueInRolledBackTx", testEnqueueLogoutRollback},
}

func newLogout(clientID, sessionID string) *domain.LogoutDelivery {
	return &domain.LogoutDelivery{ClientID: clientID, SessionID: sessionID, AccountID: "acct-1", CreatedAt: t0}
}

func testEnqueueLogoutOnce(t *testing.T, s domain.Store) {
	ctx := context.Background()
	d := newLogout("member", "sess-1")
	must(t, s.EnqueueLogout(ctx, d))
	if d.ID == 0 || !d.NextAttemptAt.Equal(t0) {
		t.Fatalf("enqueued %+v: want an id, due at once", d)
	}
	again := newLogout("member", "sess-1")
	must(t, s.EnqueueLogout(ctx, again))
	if again.ID != 0 {
		t.Fatalf("a second notice for one client and session got id %d", again.ID)
	}
	other := newLogout("provider", "sess-1")
	must(t, s.EnqueueLogout(ctx, other))
	got, err := s.LogoutsForSession(ctx, "sess-1")
	must(t, err)
	want := []*domain.LogoutDelivery{
		{ID: d.ID, ClientID: "member", SessionID: "sess-1", AccountID: "acct-1", CreatedAt: t0, NextAttemptAt: t0},
		{ID: other.ID, ClientID: "provider", SessionID: "sess-1", AccountID: "acct-1", CreatedAt: t0, NextAttemptAt: t0},
	}
	equal(t, "notices of sess-1", got, want)
}

func testClaimLogouts(t *testing.T, s domain.Store) {
	ctx := context.Background()
	d := newLogout("member", "sess-1")
	must(t, s.EnqueueLogout(ctx, d))
	later := newLogout("member", "sess-2")
	later.NextAttemptAt = t0.Add(time.Hour)
	must(t, s.EnqueueLogout(ctx, later))

	got, err := s.ClaimLogouts(ctx, t0, 10, time.Minute)
	must(t, err)
	if len(got) != 1 || got[0].ID != d.ID || !got[0].NextAttemptAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("claimed %+v: want only the due notice, leased a minute", got)
	}
	got, err = s.ClaimLogouts(ctx, t0.Add(59*time.Second), 10, time.Minute)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("claimed during the lease: %+v", got)
	}
	must(t, s.MarkLogoutFailed(ctx, d.ID, t0.Add(2*time.Minute), "connection refused"))
	got, err = s.ClaimLogouts(ctx, t0.Add(2*time.Minute), 10, time.Minute)
	must(t, err)
	if len(got) != 1 || got[0].Attempts != 1 || got[0].LastError != "connection refused" {
		t.Fatalf("claimed after failure %+v", got)
	}
	must(t, s.MarkLogoutDone(ctx, d.ID, t0.Add(3*time.Minute), true, ""))
	got, err = s.ClaimLogouts(ctx, t0.Add(48*time.Hour), 10, time.Minute)
	must(t, err)
	if len(got) != 1 || got[0].ID != later.ID {
		t.Fatalf("claimed %+v: a done notice came back", got)
	}
	ds, err := s.LogoutsForSession(ctx, "sess-1")
	must(t, err)
	if len(ds) != 1 || !ds[0].Delivered || ds[0].DoneAt == nil || !ds[0].DoneAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("done notice %+v", ds)
	}
	wantCode(t, s.MarkLogoutDone(ctx, 999999, t0, false, ""), domain.ENOTFOUND, "missing done")
	wantCode(t, s.MarkLogoutFailed(ctx, 999999, t0, ""), domain.ENOTFOUND, "missing failed")

	n, err := s.DeleteLogoutsBefore(ctx, t0.Add(3*time.Minute))
	must(t, err)
	if n != 0 {
		t.Fatalf("deleted %d notices done at the cut-off", n)
	}
	n, err = s.DeleteLogoutsBefore(ctx, t0.Add(4*time.Minute))
	must(t, err)
	if n != 1 {
		t.Fatalf("deleted %d, want the one done notice", n)
	}
}

// Two workers claiming at once never both get a notice.
func testClaimLogoutsConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	for i := range 20 {
		must(t, s.EnqueueLogout(ctx, newLogout("member", newID("sess")+string(rune('a'+i)))))
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	parallel(4, func(int) {
		for {
			got, err := s.ClaimLogouts(ctx, t0, 3, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if len(got) == 0 {
				return
			}
			mu.Lock()
			for _, d := range got {
				seen[d.ID]++
			}
			mu.Unlock()
		}
	})
	if len(seen) != 20 {
		t.Fatalf("claimed %d notices, want 20", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("notice %d claimed %d times", id, n)
		}
	}
}

func testEnqueueLogoutRollback(t *testing.T, s domain.Store) {
	ctx := context.Background()
	err := s.InTx(ctx, func(tx domain.Store) error {
		must(t, tx.EnqueueLogout(ctx, newLogout("member", "sess-rb")))
		return domain.Errorf(domain.EINVALID, "roll back")
	})
	wantCode(t, err, domain.EINVALID, "rolled back")
	ds, err := s.LogoutsForSession(ctx, "sess-rb")
	must(t, err)
	if len(ds) != 0 {
		t.Fatalf("a rolled-back notice stayed: %+v", ds)
	}
}
