package oidc

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func TestSSO1_RefreshRotatesAndReplayRevokesFamily(t *testing.T) {
	h := newHarness(t)
	r := h.publicRP()
	s := r.signIn()

	next, err := r.refresh(s.token.RefreshToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if next.RefreshToken == "" || next.RefreshToken == s.token.RefreshToken {
		t.Fatalf("refresh token not rotated: %q", next.RefreshToken)
	}
	raw, _ := next.Extra("id_token").(string)
	idt, err := r.verifier.Verify(h.ctx, raw)
	if err != nil {
		t.Fatalf("refreshed ID token: %v", err)
	}
	var c idClaims
	_ = idt.Claims(&c)
	if c.Sid != h.sessionID || c.Sub != h.account.ID {
		t.Errorf("refreshed ID token claims = %+v", c)
	}
	if _, err := r.userinfo(next.AccessToken); err != nil {
		t.Fatalf("userinfo with refreshed access token: %v", err)
	}

	// The old refresh token is used: presenting it again is a replay.
	if _, err := r.refresh(s.token.RefreshToken); err == nil {
		t.Fatal("old refresh token worked again")
	}
	if _, err := r.refresh(next.RefreshToken); err == nil {
		t.Error("the newest refresh token still works after a replay of its family")
	}
	if _, err := r.userinfo(next.AccessToken); err == nil {
		t.Error("access token of the replayed family still works")
	}
	if evs := h.audits(domain.AuditRefreshReplay); len(evs) != 1 || evs[0].AccountID != h.account.ID || evs[0].ClientID != "spa" {
		t.Errorf("refresh replay audit = %+v", evs)
	}
}

func TestSSO1_CodeReplayRevokesTokens(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	s := r.signIn()

	if _, err := r.oauth.Exchange(h.ctx, s.code); err == nil {
		t.Fatal("second exchange of the same code succeeded")
	}
	if _, err := r.userinfo(s.token.AccessToken); err == nil {
		t.Error("access token from a replayed code still works")
	}
	if _, err := r.refresh(s.token.RefreshToken); err == nil {
		t.Error("refresh token from a replayed code still works")
	}
	if got := h.introspect(s.token.AccessToken)["active"]; got != false {
		t.Errorf("introspection active = %v after code replay", got)
	}
	if evs := h.audits(domain.AuditCodeReplay); len(evs) != 1 || evs[0].ClientID != "portal" {
		t.Errorf("code replay audit = %+v", evs)
	}
}

func TestSSO1_Introspection(t *testing.T) {
	h := newHarness(t)
	s := h.portalRP().signIn()

	got := h.introspect(s.token.AccessToken)
	if got["active"] != true || got["sub"] != h.account.ID || got["client_id"] != "portal" ||
		got["iss"] != h.cfg.Issuer || got["email"] != h.account.Email || got["sid"] != h.sessionID {
		t.Errorf("introspection = %v", got)
	}
	for name, tok := range map[string]string{"garbage": "x.y", "refresh token": s.token.RefreshToken, "ID token": s.rawID} {
		if got := h.introspect(tok); got["active"] != false {
			t.Errorf("introspection of %s = %v, want inactive", name, got)
		}
	}
	// A token of another client is not described.
	other := h.publicRP().signIn()
	if got := h.introspect(other.token.AccessToken); got["active"] != false {
		t.Errorf("introspection of another client's token = %v", got)
	}
	// Public clients and wrong secrets cannot introspect.
	if code := h.postForm("/oauth/introspect", url.Values{"token": {s.token.AccessToken}, "client_id": {"spa"}}, "", "", nil); code != http.StatusUnauthorized {
		t.Errorf("public client introspection: status %d, want 401", code)
	}
	if code := h.postForm("/oauth/introspect", url.Values{"token": {s.token.AccessToken}}, "portal", "wrong", nil); code != http.StatusUnauthorized {
		t.Errorf("wrong secret introspection: status %d, want 401", code)
	}
}

func TestSSO1_AccessTokenExpires(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	s := r.signIn()
	h.clock.Advance(h.cfg.AccessTokenTTL - time.Second)
	if _, err := r.userinfo(s.token.AccessToken); err != nil {
		t.Fatalf("userinfo just before expiry: %v", err)
	}
	h.clock.Advance(time.Second)
	if _, err := r.userinfo(s.token.AccessToken); err == nil {
		t.Error("userinfo accepted an expired access token")
	}
	if got := h.introspect(s.token.AccessToken)["active"]; got != false {
		t.Errorf("introspection active = %v for an expired token", got)
	}
}

func TestSSO1_Revocation(t *testing.T) {
	t.Run("access token", func(t *testing.T) {
		h := newHarness(t)
		r := h.portalRP()
		s := r.signIn()
		if code := h.postForm("/oauth/revoke", url.Values{"token": {s.token.AccessToken}, "token_type_hint": {"access_token"}}, "portal", h.secret, nil); code != http.StatusOK {
			t.Fatalf("revoke: status %d", code)
		}
		if _, err := r.userinfo(s.token.AccessToken); err == nil {
			t.Error("revoked access token still works")
		}
		if _, err := r.refresh(s.token.RefreshToken); err != nil {
			t.Errorf("refresh token died with its access token: %v", err)
		}
	})
	t.Run("refresh token takes its family", func(t *testing.T) {
		h := newHarness(t)
		r := h.publicRP()
		s := r.signIn()
		if code := h.postForm("/oauth/revoke", url.Values{"token": {s.token.RefreshToken}, "client_id": {"spa"}}, "", "", nil); code != http.StatusOK {
			t.Fatalf("revoke: status %d", code)
		}
		if _, err := r.refresh(s.token.RefreshToken); err == nil {
			t.Error("revoked refresh token still works")
		}
		if _, err := r.userinfo(s.token.AccessToken); err == nil {
			t.Error("access token of a revoked refresh family still works")
		}
	})
	t.Run("another client's token is refused", func(t *testing.T) {
		h := newHarness(t)
		s := h.publicRP().signIn()
		if code := h.postForm("/oauth/revoke", url.Values{"token": {s.token.RefreshToken}}, "portal", h.secret, nil); code == http.StatusOK {
			t.Error("a client revoked another client's token")
		}
		if _, err := h.publicRP().refresh(s.token.RefreshToken); err != nil {
			t.Errorf("token revoked by another client: %v", err)
		}
	})
	t.Run("unknown token is fine", func(t *testing.T) {
		h := newHarness(t)
		if code := h.postForm("/oauth/revoke", url.Values{"token": {"nonsense"}}, "portal", h.secret, nil); code != http.StatusOK {
			t.Errorf("revoke unknown token: status %d, want 200 (RFC 7009)", code)
		}
	})
}

func TestSSO1_UnsupportedGrantsRefused(t *testing.T) {
	h := newHarness(t)
	for _, g := range []string{"client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer",
		"urn:ietf:params:oauth:grant-type:token-exchange", "password", ""} {
		out := map[string]any{}
		code := h.postForm("/oauth/token", url.Values{"grant_type": {g}}, "portal", h.secret, &out)
		want := "unsupported_grant_type"
		if g == "" {
			want = "invalid_request"
		}
		if code != http.StatusBadRequest || out["error"] != want {
			t.Errorf("grant %q: status %d %v, want 400 %s", g, code, out, want)
		}
	}
}

func TestSSO5_ClaimsReadFreshFromAccount(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	s := r.signIn()

	h.account.FirstName, h.account.Email, h.account.EmailKey = "Mariana", "mariana@example.org", "mariana@example.org"
	h.must(h.store.UpdateAccount(h.ctx, h.account))
	info, err := r.userinfo(s.token.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	var ui idClaims
	_ = info.Claims(&ui)
	if ui.GivenName != "Mariana" || ui.Email != "mariana@example.org" {
		t.Errorf("userinfo after change = %+v", ui)
	}

	h.account.Status = domain.StatusDisabled
	h.must(h.store.UpdateAccount(h.ctx, h.account))
	if _, err := r.userinfo(s.token.AccessToken); err == nil {
		t.Error("userinfo works for a disabled account")
	}
	if _, err := r.refresh(s.token.RefreshToken); err == nil {
		t.Error("refresh works for a disabled account")
	}
}

func TestSSO2_RefreshEndsWithSession(t *testing.T) {
	t.Run("ended", func(t *testing.T) {
		h := newHarness(t)
		r := h.portalRP()
		s := r.signIn()
		h.must(h.store.EndSession(h.ctx, h.sessionID, h.clock.Now()))
		if _, err := r.refresh(s.token.RefreshToken); err == nil {
			t.Error("refresh works after the session ended")
		}
	})
	t.Run("idle", func(t *testing.T) {
		h := newHarness(t)
		r := h.portalRP()
		s := r.signIn()
		h.clock.Advance(h.cfg.SessionIdle - time.Second)
		next, err := r.refresh(s.token.RefreshToken)
		if err != nil {
			t.Fatalf("refresh within the idle timeout: %v", err)
		}
		// The refresh counted as activity: the session lives on.
		h.clock.Advance(h.cfg.SessionIdle - time.Second)
		next, err = r.refresh(next.RefreshToken)
		if err != nil {
			t.Fatalf("refresh after activity: %v", err)
		}
		h.clock.Advance(h.cfg.SessionIdle)
		if _, err := r.refresh(next.RefreshToken); err == nil {
			t.Error("refresh works after the session was idle for the timeout")
		}
	})
}

func TestSSO1_ConcurrentCodeExchangeGivesNothingUsable(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	u := h.authorize(r.oauth.AuthCodeURL("st"))
	code := u.Query().Get("code")

	const n = 8
	results := make(chan *oauth2.Token, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := r.oauth.Exchange(h.ctx, code)
			if err == nil {
				results <- tok
			}
		}()
	}
	wg.Wait()
	close(results)
	var won []*oauth2.Token
	for tok := range results {
		won = append(won, tok)
	}
	if len(won) != 1 {
		t.Fatalf("%d of %d concurrent exchanges succeeded, want exactly 1", len(won), n)
	}
	// The others were replays, so the winner's tokens are revoked too.
	if _, err := r.userinfo(won[0].AccessToken); err == nil {
		t.Error("winner's access token works although its code was replayed")
	}
}
