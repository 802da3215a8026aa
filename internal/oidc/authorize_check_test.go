package oidc

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const validChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

// authorizeQuery is a good request of the confidential portal, changed
// by set (a nil value deletes the parameter).
func authorizeQuery(set map[string][]string) url.Values {
	q := url.Values{
		"client_id": {"portal"}, "redirect_uri": {portalRedirect}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {"st"}, "nonce": {"n-1"},
		"code_challenge": {validChallenge}, "code_challenge_method": {"S256"},
	}
	for k, v := range set {
		if v == nil {
			q.Del(k)
		} else {
			q[k] = v
		}
	}
	return q
}

func one(v string) []string { return []string{v} }

func tags(n, size int) string {
	t := make([]string, n)
	for i := range t {
		t[i] = "es-" + strings.Repeat("x", size-3)
	}
	return strings.Join(t, " ")
}

// Values at their limit are stored; one byte more goes back to the portal
// as invalid_request (the state only when it is within its own limit),
// and nothing is stored.
func TestH2_AuthorizeParameterLimits(t *testing.T) {
	h := newHarness(t)
	atLimit := map[string][]string{
		"state": one(strings.Repeat("s", 512)), "nonce": one(strings.Repeat("n", 512)),
		"login_hint": one(strings.Repeat("a", 308) + "@example.org"), "ui_locales": one(tags(10, 35)),
		"scope": one("openid " + strings.Repeat("x", 1017)),
	}
	t.Run("at the limits", func(t *testing.T) {
		c := h.stepBrowser()
		id := h.start(c, h.cfg.URL("/authorize?"+authorizeQuery(atLimit).Encode()))
		ar, err := h.store.AuthRequestByID(h.ctx, id)
		h.must(err)
		if len(ar.State) != 512 || len(ar.Nonce) != 512 || len(ar.LoginHint) != 320 {
			t.Errorf("stored state %d nonce %d login_hint %d bytes", len(ar.State), len(ar.Nonce), len(ar.LoginHint))
		}
	})
	for _, tc := range []struct {
		name      string
		set       map[string][]string
		wantState string
	}{
		{"state 513", map[string][]string{"state": one(strings.Repeat("s", 513))}, ""},
		{"nonce 513", map[string][]string{"nonce": one(strings.Repeat("n", 513))}, "st"},
		{"login_hint 321", map[string][]string{"login_hint": one(strings.Repeat("a", 321))}, "st"},
		{"login_hint 60000", map[string][]string{"login_hint": one(strings.Repeat("a", 60000))}, "st"},
		{"ui_locales 11 tags", map[string][]string{"ui_locales": one(tags(11, 5))}, "st"},
		{"ui_locales tag of 36", map[string][]string{"ui_locales": one(tags(1, 36))}, "st"},
		{"scope 1025", map[string][]string{"scope": one("openid " + strings.Repeat("x", 1018))}, "st"},
		{"code_challenge 42", map[string][]string{"code_challenge": one(validChallenge[:42])}, "st"},
		{"code_challenge 44", map[string][]string{"code_challenge": one(validChallenge + "A")}, "st"},
		{"code_challenge not base64url", map[string][]string{"code_challenge": one(validChallenge[:42] + "+")}, "st"},
		{"state repeated", map[string][]string{"state": {"st", "other"}}, "st"},
		{"max_age negative", map[string][]string{"max_age": one("-1")}, "st"},
		{"max_age not a number", map[string][]string{"max_age": one("soon")}, "st"},
		{"response_mode fragment", map[string][]string{"response_mode": one("fragment")}, "st"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.get(h.stepBrowser(), h.cfg.URL("/authorize?"+authorizeQuery(tc.set).Encode()))
			u, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || u == nil || !strings.HasPrefix(u.String(), portalRedirect+"?") {
				t.Fatalf("status %d Location %q, want a redirect to the portal: %s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			q := u.Query()
			if q.Get("error") != "invalid_request" || q.Get("state") != tc.wantState || q.Get("code") != "" {
				t.Errorf("redirect %s, want error=invalid_request state=%q", u, tc.wantState)
			}
			for _, leak := range []string{"schema", "Parent", "converting"} {
				if strings.Contains(q.Get("error_description"), leak) {
					t.Errorf("error_description shows internal detail: %q", q.Get("error_description"))
				}
			}
		})
	}
}

// A request whose client or redirect URI is not good never redirects: the
// browser has the error page.
func TestH2_AuthorizeBadClientOrRedirectShowsErrorPage(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name string
		set  map[string][]string
	}{
		{"no client_id", map[string][]string{"client_id": nil}},
		{"unknown client", map[string][]string{"client_id": one("nobody")}},
		{"client_id repeated", map[string][]string{"client_id": {"portal", "spa"}}},
		{"no redirect_uri", map[string][]string{"redirect_uri": nil}},
		{"redirect_uri repeated", map[string][]string{"redirect_uri": {portalRedirect, portalRedirect}}},
		{"redirect_uri not registered", map[string][]string{"redirect_uri": one("https://evil.example/cb")}},
		{"redirect_uri 2049", map[string][]string{"redirect_uri": one(portalRedirect + "?" + strings.Repeat("x", 2048-len(portalRedirect)))}},
		{"bad redirect and a bad max_age", map[string][]string{"redirect_uri": one("https://evil.example/cb"), "max_age": one("-1")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.get(h.stepBrowser(), h.cfg.URL("/authorize?"+authorizeQuery(tc.set).Encode()))
			wantErrorPage(t, resp, body, http.StatusBadRequest)
		})
	}
}

// L1: a public client's loopback redirect URI matches exactly, port
// included, for errors too: an error in a request naming another port is
// shown on the error page, never sent to that port with the state.
func TestL1_UnregisteredLoopbackPortErrorNotRedirected(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name string
		set  map[string][]string
	}{
		{"no scope", map[string][]string{"scope": nil}},
		{"prompt none with login", map[string][]string{"prompt": one("none login")}},
		{"bad response_type", map[string][]string{"response_type": one("token")}},
		{"good otherwise", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := map[string][]string{"client_id": one("spa"), "redirect_uri": one("http://127.0.0.1:6666/cb"), "state": one("secret-state")}
			for k, v := range tc.set {
				set[k] = v
			}
			resp, body := h.get(h.stepBrowser(), h.cfg.URL("/authorize?"+authorizeQuery(set).Encode()))
			wantErrorPage(t, resp, body, http.StatusBadRequest)
		})
	}
	t.Run("registered port still redirects its errors", func(t *testing.T) {
		set := map[string][]string{"client_id": one("spa"), "redirect_uri": one(publicRedirect), "scope": nil}
		resp, _ := h.get(h.stepBrowser(), h.cfg.URL("/authorize?"+authorizeQuery(set).Encode()))
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, publicRedirect+"?") ||
			!strings.Contains(loc, "error=invalid_request") {
			t.Errorf("status %d Location %q, want invalid_request at the registered URI", resp.StatusCode, loc)
		}
	})
}

// L5: max_age=-1 is an OAuth invalid_request at the portal, not the
// library's plain-text parse error.
func TestL5_NegativeMaxAgeIsInvalidRequest(t *testing.T) {
	h := newHarness(t)
	resp, body := h.get(h.stepBrowser(), h.cfg.URL("/authorize?"+authorizeQuery(map[string][]string{"max_age": one("-1")}).Encode()))
	u, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || u == nil || u.Query().Get("error") != "invalid_request" || u.Query().Get("state") != "st" {
		t.Fatalf("status %d Location %q body %q, want invalid_request at the portal", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if d := u.Query().Get("error_description"); strings.Contains(d, "schema") || strings.Contains(d, "Parent") {
		t.Errorf("error_description %q shows internal detail", d)
	}
}
