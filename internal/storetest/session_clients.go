package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var sessionClientTests = []suiteTest{
	{"Token/ClientsForSession", testClientsForSession},
}

// The clients told of a session's end (back-channel logout) are those
// with tokens of the session: each once, revoked tokens included, other
// sessions' clients not.
func testClientsForSession(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a, b, other := createClient(t, s), createClient(t, s), createClient(t, s)
	for _, c := range []*domain.Client{a, a, b} {
		for _, kind := range []string{domain.TokenAccess, domain.TokenRefresh} {
			tok := newToken(c.ID, kind)
			tok.SessionID = "sess-bc"
			must(t, s.CreateToken(ctx, tok))
		}
	}
	tok := newToken(other.ID, domain.TokenAccess)
	tok.SessionID = "sess-other"
	must(t, s.CreateToken(ctx, tok))
	bare := newToken(other.ID, domain.TokenAccess)
	bare.SessionID = ""
	must(t, s.CreateToken(ctx, bare))
	must(t, s.RevokeBySession(ctx, "sess-bc", t0))

	want := []string{a.ID, b.ID}
	slices.Sort(want)
	got, err := s.ClientsForSession(ctx, "sess-bc")
	must(t, err)
	equal(t, "clients of sess-bc", got, want)
	for _, id := range []string{"", "sess-none"} {
		got, err := s.ClientsForSession(ctx, id)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("clients of %q: %v, want none", id, got)
		}
	}
}
