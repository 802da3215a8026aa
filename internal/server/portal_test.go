package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

func TestPortalCallbackRefusesAStateItDidNotStart(t *testing.T) {
	p := startIdP(t, nil)
	member, _ := startPortals(t, p)
	b := newBrowser(t)
	got := b.get(member.URL + "/callback?state=forged&code=stolen")
	if got.Status != http.StatusBadRequest || got.Screen() != "portal-error" {
		t.Fatalf("forged callback = %d %q, want 400 portal-error", got.Status, got.Screen())
	}
}

func TestPortalSignOutNeedsItsCSRFToken(t *testing.T) {
	p := startIdP(t, nil)
	member, _ := startPortals(t, p)
	b := newBrowser(t)
	const email, pw = "csrf@example.org", "Correct-Horse-9"
	signUp(t, p, b, member.URL, email, pw)
	home := signIn(t, b, member.URL, email, pw)

	forged := b.submit(home, "/logout", map[string]string{"csrf": "forged"})
	if forged.Status != http.StatusForbidden {
		t.Fatalf("sign-out with a forged token = %d, want 403", forged.Status)
	}
	if still := b.get(member.URL + "/"); still.Screen() != "portal-home" {
		t.Fatalf("a forged sign-out signed the person out (screen %q)", still.Screen())
	}
}

func TestPortalSpeaksTheLanguageOfTheAccount(t *testing.T) {
	p := startIdP(t, nil)
	member, _ := startPortals(t, p)
	const email, pw = "lucia.ejemplo@example.org", "Correct-Horse-9"
	hash, err := password.NewHasher(p.cfg.Argon2).Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := accounts.NormalizeEmail(email)
	now := time.Now().UTC()
	err = p.store.CreateAccount(context.Background(), &domain.Account{
		ID: "0123456789abcdef0123456789abcdef", Email: email, EmailKey: key, FirstName: "Lucía", LastName: "Ejemplo",
		Language: "es", PasswordHash: hash, Status: domain.StatusActive,
		CreatedAt: now, UpdatedAt: now, ActivatedAt: &now, PasswordChangedAt: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t) // sends no Accept-Language: English until signed in
	if out := b.get(member.URL + "/"); !strings.Contains(out.Body, "You are not signed in.") {
		t.Fatalf("signed out, the portal is not in English:\n%s", out.Body)
	}
	home := signIn(t, b, member.URL, email, pw)
	if !strings.Contains(home.Body, `<html lang="es">`) || !strings.Contains(home.Body, "Has iniciado sesión como") {
		t.Errorf("signed in with a Spanish account, the portal is not in Spanish:\n%s", home.Body)
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestPortalSessionCookieEndsWithTheBrowserLikeTheProviders(t *testing.T) {
	p := startIdP(t, nil)
	member, _ := startPortals(t, p)
	b := newBrowser(t)
	var mu sync.Mutex
	set := map[string][]*http.Cookie{} // by host
	b.client.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			mu.Lock()
			set[r.URL.Host] = append(set[r.URL.Host], resp.Cookies()...)
			mu.Unlock()
		}
		return resp, err
	})
	const email, pw = "cookie@example.org", "Correct-Horse-9"
	signUp(t, p, b, member.URL, email, pw)
	signIn(t, b, member.URL, email, pw)

	mu.Lock()
	defer mu.Unlock()
	memberURL, _ := url.Parse(member.URL)
	var portalCookie *http.Cookie
	for _, c := range set[memberURL.Host] {
		if c.Name == "portal_member" && c.Value != "" {
			portalCookie = c
		}
	}
	if portalCookie == nil {
		t.Fatalf("the portal set no session cookie: %v", set[memberURL.Host])
	}
	if portalCookie.MaxAge != 0 || portalCookie.RawExpires != "" || !portalCookie.HttpOnly {
		t.Errorf("portal session cookie %q: want a browser-session HttpOnly cookie (no Max-Age, no Expires)", portalCookie.String())
	}
	// The provider's own session cookie is a browser-session cookie too.
	issuer, _ := url.Parse(p.cfg.Issuer)
	for _, c := range set[issuer.Host] {
		if c.Name == "ekid_session" && c.Value != "" && (c.MaxAge != 0 || c.RawExpires != "") {
			t.Errorf("the provider's session cookie %q outlives the browser", c.String())
		}
	}
}

func TestPortalLanguageSelectorBeatsTheAccountLanguage(t *testing.T) {
	p := startIdP(t, nil)
	member, _ := startPortals(t, p)
	b := newBrowser(t)
	const email, pw = "selector@example.org", "Correct-Horse-9"
	signUp(t, p, b, member.URL, email, pw) // an English account
	home := signIn(t, b, member.URL, email, pw)
	if !strings.Contains(home.Body, "<h1>Member portal</h1>") {
		t.Fatalf("an English account's portal is not in English:\n%s", home.Body)
	}
	es := b.get(member.URL + "/lang?l=es") // the selector's GET form
	if es.Screen() != "portal-home" || !strings.Contains(es.Body, `<html lang="es">`) ||
		!strings.Contains(es.Body, "<h1>Portal de miembros</h1>") || !strings.Contains(es.Body, "Abrir el Portal de proveedores") ||
		!strings.Contains(es.Body, ">Cerrar sesión</button>") {
		t.Fatalf("after choosing Spanish, screen %q:\n%s", es.Screen(), es.Body)
	}
	if again := b.get(member.URL + "/"); !strings.Contains(again.Body, `<html lang="es">`) {
		t.Errorf("the choice was not remembered:\n%s", again.Body)
	}
}
