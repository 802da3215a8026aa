package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var sessionTests = []suiteTest{
	{"Session/CreateTouchEnd", testSessionLifecycle},
	{"Session/EndAccountSessions", testEndAccountSessions},
	{"Session/Missing", testSessionMissing},
}

func newSession(accountID string) *domain.Session {
	return &domain.Session{
		ID:         newID("sess"),
		AccountID:  accountID,
		CreatedAt:  t0,
		LastSeenAt: t0,
		ExpiresAt:  t0.Add(12 * time.Hour),
		UserAgent:  "Mozilla/5.0",
		IP:         "192.0.2.1",
	}
}

func testSessionLifecycle(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	x := newSession(a.ID)
	must(t, s.CreateSession(ctx, x))
	got, err := s.SessionByID(ctx, x.ID)
	must(t, err)
	equal(t, "stored", got, x)
	wantCode(t, s.CreateSession(ctx, x), domain.ECONFLICT, "same id")

	must(t, s.TouchSession(ctx, x.ID, t0.Add(10*time.Minute)))
	got, err = s.SessionByID(ctx, x.ID)
	must(t, err)
	equal(t, "last seen", got.LastSeenAt, t0.Add(10*time.Minute))

	must(t, s.EndSession(ctx, x.ID, t0.Add(20*time.Minute)))
	must(t, s.EndSession(ctx, x.ID, t0.Add(30*time.Minute)))
	got, err = s.SessionByID(ctx, x.ID)
	must(t, err)
	sameTime(t, "ended at the first end", got.EndedAt, t0.Add(20*time.Minute))
}

func testEndAccountSessions(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	b := createAccount(t, s)
	keep, end1, end2, ended := newSession(a.ID), newSession(a.ID), newSession(a.ID), newSession(a.ID)
	ended.EndedAt = ptr(t0)
	other := newSession(b.ID)
	for _, x := range []*domain.Session{keep, end1, end2, ended, other} {
		must(t, s.CreateSession(ctx, x))
	}

	ids, err := s.EndAccountSessions(ctx, a.ID, keep.ID, t0.Add(time.Minute))
	must(t, err)
	slices.Sort(ids)
	want := []string{end1.ID, end2.ID}
	slices.Sort(want)
	equal(t, "ended ids", ids, want)

	endedAt := func(id string) *time.Time {
		t.Helper()
		got, err := s.SessionByID(ctx, id)
		must(t, err)
		return got.EndedAt
	}
	sameTime(t, "end1", endedAt(end1.ID), t0.Add(time.Minute))
	sameTime(t, "already ended keeps its time", endedAt(ended.ID), t0)
	if endedAt(keep.ID) != nil || endedAt(other.ID) != nil {
		t.Fatal("ended the kept session or another account's")
	}

	ids, err = s.EndAccountSessions(ctx, a.ID, "", t0.Add(2*time.Minute))
	must(t, err)
	equal(t, "second sweep", ids, []string{keep.ID})
	ids, err = s.EndAccountSessions(ctx, a.ID, "", t0.Add(3*time.Minute))
	must(t, err)
	equal(t, "nothing left", len(ids), 0)
}

func testSessionMissing(t *testing.T, s domain.Store) {
	ctx := context.Background()
	_, err := s.SessionByID(ctx, "none")
	wantCode(t, err, domain.ENOTFOUND, "get")
	wantCode(t, s.TouchSession(ctx, "none", t0), domain.ENOTFOUND, "touch")
	wantCode(t, s.EndSession(ctx, "none", t0), domain.ENOTFOUND, "end")
}
