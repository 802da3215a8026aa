package oidc

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

func TestSSO1_PublicClientCodeFlowWithPKCE(t *testing.T) {
	h := newHarness(t)
	r := h.publicRP()
	s := r.signIn()

	c := s.claims
	if c.Sub != h.account.ID || c.Email != h.account.Email || !c.EmailVerified || c.Name != "María García" ||
		c.GivenName != "María" || c.FamilyName != "García" || c.Locale != "es" || c.Azp != "spa" {
		t.Errorf("ID token claims = %+v", c)
	}
	if c.Sid == "" || c.Sid != h.sessionID {
		t.Errorf("sid = %q, want the session %q", c.Sid, h.sessionID)
	}
	if s.token.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}

	info, err := r.userinfo(s.token.AccessToken)
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var ui idClaims
	if err := info.Claims(&ui); err != nil {
		t.Fatal(err)
	}
	if ui.Sub != h.account.ID || ui.Email != h.account.Email || ui.Name != "María García" || ui.Locale != "es" {
		t.Errorf("userinfo = %+v", ui)
	}
}

func TestSSO1_ConfidentialClientCodeFlow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"client_secret_basic", oauth2.AuthStyleInHeader}, {"client_secret_post", oauth2.AuthStyleInParams}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.portalRP()
			r.oauth.Endpoint.AuthStyle = tc.style
			s := r.signIn()
			if s.claims.Sub != h.account.ID || s.claims.Azp != "portal" {
				t.Errorf("claims = %+v", s.claims)
			}
			if _, err := r.userinfo(s.token.AccessToken); err != nil {
				t.Errorf("userinfo: %v", err)
			}
		})
	}
}

func TestSSO1_ConfidentialClientWrongSecretRefused(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	r.oauth.ClientSecret = NewClientSecret()
	state := randomString()
	u := h.authorize(r.oauth.AuthCodeURL(state))
	if _, err := r.oauth.Exchange(h.ctx, u.Query().Get("code")); err == nil {
		t.Fatal("exchange with a wrong secret succeeded")
	}
}

func TestSSO1_SilentSSOIntoSecondPortal(t *testing.T) {
	h := newHarness(t)
	first := h.portalRP().signIn()
	second := h.publicRP().signIn()
	if first.claims.Sid != second.claims.Sid || first.claims.Sub != second.claims.Sub {
		t.Errorf("second portal: sid %q sub %q, want the first's %q %q",
			second.claims.Sid, second.claims.Sub, first.claims.Sid, first.claims.Sub)
	}
}

func TestSSO1_RedirectURIPrefixRefused(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ client, redirect string }{
		{"portal", portalRedirect + "/evil"},
		{"portal", portalRedirect + "?x=1"},
		{"portal", "https://portal.example/c"},
		{"spa", publicRedirect + "/x"},
		{"spa", "http://127.0.0.1:6666/cb"}, // same loopback URI, other port
	} {
		t.Run(tc.client+" "+tc.redirect, func(t *testing.T) {
			q := url.Values{
				"client_id": {tc.client}, "redirect_uri": {tc.redirect}, "response_type": {"code"},
				"scope": {"openid"}, "state": {"s"},
				"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
			}
			resp, err := h.browser().Get(h.cfg.URL("/authorize?" + q.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d (Location %q), want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

func TestSSO1_PublicClientWithoutPKCERefused(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name string
		pkce url.Values
	}{
		{"no code_challenge", url.Values{}},
		{"plain method", url.Values{"code_challenge": {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"}, "code_challenge_method": {"plain"}}},
		{"method omitted means plain", url.Values{"code_challenge": {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"client_id": {"spa"}, "redirect_uri": {publicRedirect}, "response_type": {"code"},
				"scope": {"openid"}, "state": {"st"}}
			for k, v := range tc.pkce {
				q[k] = v
			}
			u := h.authorize(h.cfg.URL("/authorize?" + q.Encode()))
			if u.Query().Get("error") != "invalid_request" || u.Query().Get("code") != "" || u.Query().Get("state") != "st" {
				t.Errorf("redirect = %s, want error=invalid_request and no code", u)
			}
		})
	}
}

func TestSSO1_WrongPKCEVerifierRefused(t *testing.T) {
	h := newHarness(t)
	r := h.publicRP()
	u := h.authorize(r.oauth.AuthCodeURL("s", oauth2.S256ChallengeOption("right-verifier-0123456789012345678901234567890")))
	if _, err := r.oauth.Exchange(h.ctx, u.Query().Get("code"), oauth2.VerifierOption("wrong-verifier-0123456789012345678901234567890")); err == nil {
		t.Fatal("exchange with a wrong code_verifier succeeded")
	}
}

func TestSSO1_CallbackReplayMintsNoSecondCode(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	// Walk the flow by hand to learn the callback URL.
	c := h.browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(r.oauth.AuthCodeURL("s"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loginURL := resp.Header.Get("Location")
	resp, err = c.Get(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	for i, want := range []int{http.StatusFound, http.StatusBadRequest} {
		resp, err = c.Get(callback)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("callback #%d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

func TestSSO1_AuthRequestExpires(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	c := h.browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(r.oauth.AuthCodeURL("s"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h.clock.Advance(h.cfg.AuthRequestTTL)
	resp, err = c.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback after %v: status %d, want 400", h.cfg.AuthRequestTTL, resp.StatusCode)
	}
}
