package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var tokenTests = []suiteTest{
	{"Token/CreateGet", testTokenCreateGet},
	{"Token/UseRefreshTokenTwice", testUseRefreshTokenTwice},
	{"Token/UseRefreshTokenConcurrent", testUseRefreshTokenConcurrent},
	{"Token/RevokeToken", testRevokeToken},
	{"Token/RevokeGroups", testRevokeGroups},
	{"Token/DeleteBefore", testDeleteTokens},
}

func newToken(clientID, kind string) *domain.Token {
	return &domain.Token{
		ID:            newID("tok"),
		Kind:          kind,
		FamilyID:      "fam-1",
		AuthRequestID: "ar-1",
		AccountID:     "acct-1",
		ClientID:      clientID,
		SessionID:     "sess-1",
		Scopes:        []string{"openid", "email"},
		Audience:      []string{clientID},
		AuthTime:      t0.Add(-time.Minute),
		AMR:           []string{"pwd"},
		CreatedAt:     t0,
		ExpiresAt:     t0.Add(time.Hour),
	}
}

func testTokenCreateGet(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	access := newToken(c.ID, domain.TokenAccess)
	refresh := newToken(c.ID, domain.TokenRefresh)
	refresh.UsedAt, refresh.RevokedAt = ptr(t0.Add(time.Second)), ptr(t0.Add(2*time.Second))
	bare := &domain.Token{ID: newID("tok"), Kind: domain.TokenAccess, ClientID: c.ID, CreatedAt: t0, ExpiresAt: t0}
	for _, tok := range []*domain.Token{access, refresh, bare} {
		must(t, s.CreateToken(ctx, tok))
		got, err := s.TokenByID(ctx, tok.ID)
		must(t, err)
		equal(t, "stored "+tok.Kind, got, tok)
	}
	wantCode(t, s.CreateToken(ctx, access), domain.ECONFLICT, "same id")
	_, err := s.TokenByID(ctx, "none")
	wantCode(t, err, domain.ENOTFOUND, "missing")
}

// A refresh token rotates once; presenting it again is a replay.
func testUseRefreshTokenTwice(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newToken(c.ID, domain.TokenRefresh)
	must(t, s.CreateToken(ctx, r))

	first, err := s.UseRefreshToken(ctx, r.ID, t0.Add(time.Second))
	must(t, err)
	equal(t, "first", first, true)
	first, err = s.UseRefreshToken(ctx, r.ID, t0.Add(2*time.Second))
	must(t, err)
	equal(t, "second", first, false)
	got, err := s.TokenByID(ctx, r.ID)
	must(t, err)
	sameTime(t, "used at", got.UsedAt, t0.Add(time.Second))

	revoked := newToken(c.ID, domain.TokenRefresh)
	revoked.RevokedAt = ptr(t0)
	must(t, s.CreateToken(ctx, revoked))
	first, err = s.UseRefreshToken(ctx, revoked.ID, t0)
	must(t, err)
	equal(t, "revoked", first, false)

	access := newToken(c.ID, domain.TokenAccess)
	must(t, s.CreateToken(ctx, access))
	_, err = s.UseRefreshToken(ctx, access.ID, t0)
	wantCode(t, err, domain.ENOTFOUND, "access token as refresh")
	_, err = s.UseRefreshToken(ctx, "none", t0)
	wantCode(t, err, domain.ENOTFOUND, "missing")
}

func testUseRefreshTokenConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newToken(c.ID, domain.TokenRefresh)
	must(t, s.CreateToken(ctx, r))
	var firsts atomic.Int32
	parallel(20, func(i int) {
		first, err := s.UseRefreshToken(ctx, r.ID, t0)
		if err != nil {
			t.Errorf("use %d: %v", i, err)
		}
		if first {
			firsts.Add(1)
		}
	})
	equal(t, "first uses", firsts.Load(), int32(1))
}

func testRevokeToken(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	tok := newToken(c.ID, domain.TokenAccess)
	must(t, s.CreateToken(ctx, tok))
	must(t, s.RevokeToken(ctx, tok.ID, t0.Add(time.Second)))
	must(t, s.RevokeToken(ctx, tok.ID, t0.Add(2*time.Second)))
	got, err := s.TokenByID(ctx, tok.ID)
	must(t, err)
	sameTime(t, "revoked at the first revocation", got.RevokedAt, t0.Add(time.Second))
	wantCode(t, s.RevokeToken(ctx, "none", t0), domain.ENOTFOUND, "missing")
}

// Each group revocation revokes exactly the tokens sharing that value,
// keeps an earlier revocation time, and leaves every other token alone.
func testRevokeGroups(t *testing.T, s domain.Store) {
	cases := []struct {
		name   string
		set    func(tok *domain.Token, v string)
		revoke func(ctx context.Context, v string, now time.Time) error
	}{
		{"Family", func(tok *domain.Token, v string) { tok.FamilyID = v }, s.RevokeFamily},
		{"AuthRequest", func(tok *domain.Token, v string) { tok.AuthRequestID = v }, s.RevokeByAuthRequest},
		{"Session", func(tok *domain.Token, v string) { tok.SessionID = v }, s.RevokeBySession},
		{"Account", func(tok *domain.Token, v string) { tok.AccountID = v }, s.RevokeByAccount},
	}
	ctx := context.Background()
	c := createClient(t, s)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, other := newID("group"), newID("other")
			hit1 := newToken(c.ID, domain.TokenAccess)
			hit2 := newToken(c.ID, domain.TokenRefresh)
			early := newToken(c.ID, domain.TokenRefresh)
			early.RevokedAt = ptr(t0)
			miss := newToken(c.ID, domain.TokenRefresh)
			for _, tok := range []*domain.Token{hit1, hit2, early} {
				tc.set(tok, target)
			}
			tc.set(miss, other)
			for _, tok := range []*domain.Token{hit1, hit2, early, miss} {
				must(t, s.CreateToken(ctx, tok))
			}
			must(t, tc.revoke(ctx, target, t0.Add(time.Minute)))
			revokedAt := func(tok *domain.Token) *time.Time {
				t.Helper()
				got, err := s.TokenByID(ctx, tok.ID)
				must(t, err)
				return got.RevokedAt
			}
			sameTime(t, "hit access", revokedAt(hit1), t0.Add(time.Minute))
			sameTime(t, "hit refresh", revokedAt(hit2), t0.Add(time.Minute))
			sameTime(t, "earlier revocation kept", revokedAt(early), t0)
			if at := revokedAt(miss); at != nil {
				t.Fatalf("revoked a token of another group at %v", at)
			}
			must(t, tc.revoke(ctx, newID("nothing"), t0))
		})
	}
}

func testDeleteTokens(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	var toks []*domain.Token
	for _, exp := range []time.Duration{-time.Second, 0, time.Second} {
		tok := newToken(c.ID, domain.TokenAccess)
		tok.ExpiresAt = t0.Add(exp)
		must(t, s.CreateToken(ctx, tok))
		toks = append(toks, tok)
	}
	n, err := s.DeleteTokensBefore(ctx, t0)
	must(t, err)
	equal(t, "deleted", n, 1)
	_, err = s.TokenByID(ctx, toks[0].ID)
	wantCode(t, err, domain.ENOTFOUND, "expired")
	for _, tok := range toks[1:] {
		_, err := s.TokenByID(ctx, tok.ID)
		must(t, err)
	}
}
