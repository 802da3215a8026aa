package oidc

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// endSession calls /end_session and returns the status and Location.
func (h *harness) endSession(q url.Values) (int, string) {
	h.t.Helper()
	c := h.browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(h.cfg.URL("/end_session?" + q.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestSSO3_EndSessionWithIDTokenHintEndsSession(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	s := r.signIn()
	other := h.publicRP().signIn() // a second portal in the same session

	code, loc := h.endSession(url.Values{"id_token_hint": {s.rawID}, "post_logout_redirect_uri": {portalLogoutRedirect}, "state": {"bye"}})
	if code != http.StatusFound || loc != portalLogoutRedirect+"?state=bye" {
		t.Fatalf("end_session: %d %q", code, loc)
	}
	sess, err := h.store.SessionByID(h.ctx, h.sessionID)
	if err != nil {
		t.Fatal(err)
	}
	if sess.EndedAt == nil {
		t.Error("session not ended")
	}
	if _, err := r.userinfo(s.token.AccessToken); err == nil {
		t.Error("access token of the ended session still works")
	}
	if _, err := h.publicRP().refresh(other.token.RefreshToken); err == nil {
		t.Error("the other portal's refresh token outlived the session")
	}
	if evs := h.audits(domain.AuditSignOut); len(evs) != 1 || evs[0].AccountID != h.account.ID || evs[0].ClientID != "portal" {
		t.Errorf("signout audit = %+v", evs)
	}
}

func TestSSO3_EndSessionWithoutValidHintAsksToConfirm(t *testing.T) {
	h := newHarness(t)
	s := h.portalRP().signIn()
	for name, q := range map[string]url.Values{
		"no hint":      {"client_id": {"portal"}, "post_logout_redirect_uri": {portalLogoutRedirect}, "state": {"bye"}},
		"invalid hint": {"id_token_hint": {s.rawID[:len(s.rawID)-4] + "AAAA"}, "client_id": {"portal"}, "post_logout_redirect_uri": {portalLogoutRedirect}, "state": {"bye"}},
	} {
		t.Run(name, func(t *testing.T) {
			code, loc := h.endSession(q)
			want := h.cfg.URL("/logout?" + url.Values{"client_id": {"portal"}, "post_logout_redirect_uri": {portalLogoutRedirect}, "state": {"bye"}}.Encode())
			if code != http.StatusFound || loc != want {
				t.Errorf("end_session: %d %q, want 302 %q", code, loc, want)
			}
		})
	}
	sess, _ := h.store.SessionByID(h.ctx, h.sessionID)
	if sess.EndedAt != nil {
		t.Error("session ended without a valid hint or confirmation")
	}
}

func TestSSO3_EndSessionRefusesUnregisteredRedirect(t *testing.T) {
	h := newHarness(t)
	s := h.portalRP().signIn()
	for name, q := range map[string]url.Values{
		"prefix of registered":    {"id_token_hint": {s.rawID}, "post_logout_redirect_uri": {portalLogoutRedirect + "/x"}},
		"no client":               {"post_logout_redirect_uri": {portalLogoutRedirect}},
		"unknown client":          {"client_id": {"nobody"}, "post_logout_redirect_uri": {portalLogoutRedirect}},
		"client differs from azp": {"id_token_hint": {s.rawID}, "client_id": {"spa"}},
	} {
		t.Run(name, func(t *testing.T) {
			if code, loc := h.endSession(q); code != http.StatusBadRequest {
				t.Errorf("end_session: %d %q, want 400", code, loc)
			}
		})
	}
	sess, _ := h.store.SessionByID(h.ctx, h.sessionID)
	if sess.EndedAt != nil {
		t.Error("a refused end_session ended the session")
	}
}

func TestLogoutRedirect(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name, client, uri, state, want string
		wantErr                        bool
	}{
		{"registered", "portal", portalLogoutRedirect, "s1", portalLogoutRedirect + "?state=s1", false},
		{"no state", "portal", portalLogoutRedirect, "", portalLogoutRedirect, false},
		{"no uri", "portal", "", "s", "", false},
		{"nothing", "", "", "", "", false},
		{"unregistered", "portal", "https://evil.example/", "", "", true},
		{"uri without client", "", portalLogoutRedirect, "", "", true},
		{"unknown client", "nobody", "", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LogoutRedirect(h.ctx, h.store, tc.client, tc.uri, tc.state)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("LogoutRedirect = %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
			if err != nil && domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("error code %s, want EINVALID", domain.ErrorCode(err))
			}
		})
	}
}
