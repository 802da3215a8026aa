package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// loginID follows an authorization request of a portal to screen 1 and
// returns the auth request id the screen carries.
func loginID(t *testing.T, b *browser, client, redirect, state string) string {
	t.Helper()
	r := b.get(authorizeURL(client, redirect, state)).wantStatus(t, http.StatusFound)
	u, _ := url.Parse(r.Header.Get("Location"))
	id := u.Query().Get("authRequestID")
	if u.Path != "/login" || id == "" {
		t.Fatalf("authorize sent the browser to %s", u)
	}
	b.get(strings.TrimPrefix(u.String(), issuer)).wantStatus(t, http.StatusOK).wantScreen(t, "identify")
	return id
}

// wantCode follows the redirect r to the portal and checks it ends at
// redirect with a code and the state.
func wantCode(t *testing.T, b *browser, r *response, redirect, state string) {
	t.Helper()
	if r.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want a redirect; screen %q", r.StatusCode, screenOf(r.body))
	}
	r = b.follow(strings.TrimPrefix(r.Header.Get("Location"), issuer))
	u, _ := url.Parse(r.Header.Get("Location"))
	if !strings.HasPrefix(u.String(), redirect+"?") || u.Query().Get("code") == "" || u.Query().Get("state") != state {
		t.Fatalf("sign-in ended at %q, want %s with a code and state %s", u, redirect, state)
	}
}

// TestSSO1_SecondTabContinuesWithSession: tab A shows screen 1, the person
// signs in in tab B, and tab A's screen 1 then signs in with that session,
// without asking the password again; a second submit of the same screen
// goes on to the provider too. Another person's address gets screen 2.
func TestSSO1_SecondTabContinuesWithSession(t *testing.T) {
	e := newEnv(t)
	e.withProvider()
	ana := e.activeAccount("ana@example.test", "en")
	e.activeAccount("luis@example.test", "en")
	b := e.browserWithSecret("") // one browser, two tabs: the same cookies

	tabA := loginID(t, b, memberClient, memberReturn, "tab-a")
	tabB := loginID(t, b, memberClient, memberReturn, "tab-b")
	tabC := loginID(t, b, "provider-portal", "https://provider.example.test/callback", "tab-c")
	wantCode(t, b, b.signIn("ana@example.test", goodPassword, tabB, false), memberReturn, "tab-b")

	form := url.Values{"username": {"Ana@Example.TEST"}, "authRequestID": {tabA}}
	r := b.post("/login", form)
	if got, want := r.Header.Get("Location"), issuer+"/authorize/callback?id="+url.QueryEscape(tabA); got != want {
		t.Fatalf("tab A's screen 1: %d %q, want a redirect to %s", r.StatusCode, got, want)
	}
	ar, err := e.store.AuthRequestByID(context.Background(), tabA)
	if err != nil {
		t.Fatal(err)
	}
	if !ar.Done || ar.AccountID != ana.ID || !ar.AuthTime.Equal(t0) {
		t.Fatalf("tab A's request not completed by the session: %+v", ar)
	}
	// The same form sent again before the code was issued: the request
	// was completed by this very session, so it goes on to the provider.
	form.Del(csrfField)
	again := b.post("/login", form)
	if again.Header.Get("Location") != r.Header.Get("Location") {
		t.Fatalf("second submit: %d %q", again.StatusCode, again.Header.Get("Location"))
	}
	wantCode(t, b, again, memberReturn, "tab-a")

	// Another person's address on tab C's screen 1: screen 2, and the
	// request stays open.
	b.post("/login", url.Values{"username": {"luis@example.test"}, "authRequestID": {tabC}}).
		wantStatus(t, http.StatusOK).wantScreen(t, "password").wantBody(t, "luis@example.test")
	if ar, _ := e.store.AuthRequestByID(context.Background(), tabC); ar.Done {
		t.Fatal("another person's address completed the request with the session")
	}
}

// TestSSO1_ScreenOneWithSessionRespectsPromptAndMaxAge: screen 1 goes on
// with the session only where GET /login would: not for prompt=login,
// nor past max_age. Without a portal it goes to /account.
func TestSSO1_ScreenOneWithSessionRespectsPromptAndMaxAge(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
	e.clock.Advance(5 * time.Minute)

	e.authRequest("login", []string{"login"}, nil)
	e.authRequest("old", nil, ptr[int64](60))
	e.authRequest("fresh", nil, ptr[int64](600))
	for id, silent := range map[string]bool{"login": false, "old": false, "fresh": true} {
		r := b.post("/login", url.Values{"username": {"ana@example.test"}, "authRequestID": {id}})
		if silent {
			r.wantStatus(t, http.StatusFound)
			continue
		}
		r.wantStatus(t, http.StatusOK).wantScreen(t, "password")
	}
	r := b.post("/login", url.Values{"username": {"ana@example.test"}}).wantStatus(t, http.StatusSeeOther)
	if r.Header.Get("Location") != issuer+"/account" {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
}
