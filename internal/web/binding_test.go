package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
)

const attackerSecret = "YXR0YWNrZXItYnJvd3Nlci1zZWNyZXQtMDEyMzQ1Njc"

// attackerRequest stores an auth request of the member portal started by
// the attacker's browser.
func (e *env) attackerRequest(id string) {
	e.t.Helper()
	ar := e.authRequest(id+"-tmp", nil, nil)
	ar.ID, ar.BrowserDigest = id, browserDigest(attackerSecret)
	if err := e.store.CreateAuthRequest(context.Background(), ar); err != nil {
		e.t.Fatal(err)
	}
}

// The sign-in screens serve a request only to the browser that started
// it: a victim sent /login?authRequestID=X for the attacker's request X
// gets the error page at every screen, signed in or not, and X stays
// incomplete.
func TestC1_RequestOfAnotherBrowserNotServed(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.attackerRequest("atk")

	signedIn := e.browser()
	signedIn.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
	for name, b := range map[string]*browser{
		"signed-in victim": signedIn, "victim without a session": e.browser(), "no browser cookie": e.browserWithSecret(""),
	} {
		t.Run(name, func(t *testing.T) {
			b.get("/login?authRequestID=atk").wantStatus(t, http.StatusBadRequest).wantScreen(t, "error")
			b.post("/login", url.Values{"username": {"ana@example.test"}, "authRequestID": {"atk"}}).
				wantStatus(t, http.StatusBadRequest).wantScreen(t, "error")
			r := b.post("/login/password", url.Values{"username": {"ana@example.test"}, "password": {goodPassword},
				"authRequestID": {"atk"}}).wantStatus(t, http.StatusBadRequest).wantScreen(t, "error")
			if r.setCookie(e.srv.sessionCookie()) != nil {
				t.Error("a refused sign-in started a session")
			}
		})
	}
	ar, err := e.store.AuthRequestByID(context.Background(), "atk")
	if err != nil {
		t.Fatal(err)
	}
	if ar.Done || ar.AccountID != "" {
		t.Fatalf("the attacker's request was completed: %+v", ar)
	}
	// The attacker's own browser is served.
	e.browserWithSecret(attackerSecret).get("/login?authRequestID=atk").wantStatus(t, http.StatusOK).wantScreen(t, "identify")
}

// A request completed once keeps that sign-in: signing in again for it,
// as someone else, is refused and does not swap the identity; a reload by
// the session that completed it goes on to the provider.
func TestC1_CompletedRequestNotCompletedAgain(t *testing.T) {
	e := newEnv(t)
	ana := e.activeAccount("ana@example.test", "en")
	e.activeAccount("luis@example.test", "en")
	e.authRequest("ar1", nil, nil)
	b := e.browser()
	r := b.signIn("ana@example.test", goodPassword, "ar1", false).wantStatus(t, http.StatusFound)
	if got := r.Header.Get("Location"); got != issuer+"/authorize/callback?id=ar1" {
		t.Fatalf("Location %q", got)
	}
	r = b.get("/login?authRequestID=ar1").wantStatus(t, http.StatusFound)
	if got := r.Header.Get("Location"); got != issuer+"/authorize/callback?id=ar1" {
		t.Fatalf("reload by the same session: Location %q", got)
	}

	b.signIn("luis@example.test", goodPassword, "ar1", false).wantStatus(t, http.StatusConflict).wantScreen(t, "error")
	ar, err := e.store.AuthRequestByID(context.Background(), "ar1")
	if err != nil {
		t.Fatal(err)
	}
	if ar.AccountID != ana.ID {
		t.Fatalf("the request now names account %s, want the first sign-in's %s", ar.AccountID, ana.ID)
	}
}

// L4: on https the session cookie is __Host-ekid_session (Secure, path
// "/", no Domain), and a planted cookie without the prefix signs nobody
// in; on http it stays ekid_session.
func TestL4_SessionCookieHostPrefixOnHTTPS(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	r := e.browser().signIn("ana@example.test", goodPassword, "", false)
	line := r.rawSetCookie("__Host-ekid_session")
	if e.srv.sessionCookie() != "__Host-ekid_session" || line == "" {
		t.Fatalf("session cookie %q, Set-Cookie %q", e.srv.sessionCookie(), line)
	}
	for _, want := range []string{"Secure", "Path=/", "HttpOnly"} {
		if !strings.Contains(line, want) {
			t.Errorf("session cookie lacks %s: %s", want, line)
		}
	}
	if strings.Contains(line, "Domain") {
		t.Errorf("session cookie has a Domain: %s", line)
	}
	value := r.setCookie("__Host-ekid_session").Value
	planted := e.browser()
	planted.cookies["ekid_session"] = &http.Cookie{Name: "ekid_session", Value: value}
	if got := planted.get("/account"); got.StatusCode != http.StatusFound {
		t.Errorf("an unprefixed session cookie on https signed in: %d", got.StatusCode)
	}

	cfg := e.cfg
	cfg.Issuer = "http://127.0.0.1:8080"
	plain := newEnvWith(t, cfg)
	if plain.srv.sessionCookie() != "ekid_session" {
		t.Errorf("session cookie over http is %q", plain.srv.sessionCookie())
	}
}

// withProvider serves the real OpenID Connect provider next to the
// screens, as the server does, and registers a second portal.
func (e *env) withProvider() {
	e.t.Helper()
	p, err := oidc.New(context.Background(), e.cfg, e.store, e.clock, slog.New(slog.DiscardHandler))
	if err != nil {
		e.t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, path := range oidc.Paths() {
		mux.Handle(path, p.Handler())
	}
	mux.Handle("/", e.srv.Handler())
	e.h = mux
	err = e.store.CreateClient(context.Background(), &domain.Client{
		ID: "provider-portal", Name: "Provider portal", SecretDigest: strings.Repeat("1", 64),
		RedirectURIs: []string{"https://provider.example.test/callback"}, PortalType: domain.PortalProvider, CreatedAt: t0,
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// authorizeURL is an authorization request of a portal.
func authorizeURL(clientID, redirectURI, state string) string {
	return "/authorize?" + url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI},
		"response_type": {"code"}, "scope": {"openid"}, "state": {state}}.Encode()
}

// follow gets path and follows redirects within the issuer; it returns
// the last response, a page or a redirect elsewhere.
func (b *browser) follow(path string) *response {
	b.e.t.Helper()
	r := b.get(path)
	for i := 0; i < 10 && r.StatusCode == http.StatusFound && strings.HasPrefix(r.Header.Get("Location"), issuer+"/"); i++ {
		r = b.get(strings.TrimPrefix(r.Header.Get("Location"), issuer))
	}
	return r
}

// The reported attack, end to end with the provider: the attacker starts
// a sign-in and sends the victim its login link; the victim's session
// does not complete it, and the attacker's callback polls get no code.
// The victim's own sign-ins still work, silently into a second portal.
func TestC1_AttackSequenceFailsVictimFlowWorks(t *testing.T) {
	e := newEnv(t)
	e.withProvider()
	e.activeAccount("ana@example.test", "en")

	attacker := e.browserWithSecret("")
	r := attacker.get(authorizeURL(memberClient, memberReturn, "atk")).wantStatus(t, http.StatusFound)
	login, _ := url.Parse(r.Header.Get("Location"))
	id := login.Query().Get("authRequestID")
	if login.Path != "/login" || id == "" {
		t.Fatalf("authorize sent the attacker to %s", login)
	}

	victim := e.browserWithSecret("")
	first := victim.follow(authorizeURL(memberClient, memberReturn, "v1")).wantStatus(t, http.StatusOK).wantScreen(t, "identify")
	first.wantBody(t, `name="authRequestID"`)
	victim.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)

	victim.follow("/login?authRequestID="+url.QueryEscape(id)).wantStatus(t, http.StatusBadRequest).wantScreen(t, "error")
	callback := "/authorize/callback?id=" + url.QueryEscape(id)
	for i := range 10 {
		if r := e.browserWithSecret("").get(callback); r.StatusCode != http.StatusBadRequest || r.Header.Get("Location") != "" {
			t.Fatalf("poll %d without the browser cookie: %d %q, want the 400 page", i, r.StatusCode, r.Header.Get("Location"))
		}
		// The attacker's own browser started the request, but nobody
		// completed it: no code, only interaction_required.
		if r := attacker.get(callback); strings.Contains(r.Header.Get("Location"), "code=") {
			t.Fatalf("poll %d by the attacker got a code: %q", i, r.Header.Get("Location"))
		}
	}
	if ar, _ := e.store.AuthRequestByID(context.Background(), id); ar == nil || ar.Done || ar.CodeDigest != "" {
		t.Fatalf("the attacker's request was completed or got a code: %+v", ar)
	}

	for _, p := range []struct{ client, redirect string }{
		{memberClient, memberReturn}, {"provider-portal", "https://provider.example.test/callback"},
	} {
		r := victim.follow(authorizeURL(p.client, p.redirect, "v-"+p.client)).wantStatus(t, http.StatusFound)
		u, _ := url.Parse(r.Header.Get("Location"))
		if !strings.HasPrefix(u.String(), p.redirect+"?") || u.Query().Get("code") == "" || u.Query().Get("state") != "v-"+p.client {
			t.Fatalf("victim's silent sign-in into %s ended at %s", p.client, u)
		}
	}
}
