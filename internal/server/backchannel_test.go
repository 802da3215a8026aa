package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
)

// signedInAtBoth signs a new account in at the Member portal, then at the
// Provider portal with no prompt, and returns the Member portal's home.
func signedInAtBoth(t *testing.T, p *idp, ps [2]testPortal, b *browser, email string) *page {
	t.Helper()
	const pw = "Correct-Horse-9"
	signUp(t, p, b, ps[0].srv.URL, email, pw)
	home := signIn(t, b, ps[0].srv.URL, email, pw)
	if second := b.get(ps[1].srv.URL + "/login"); second.Screen() != "portal-home" {
		t.Fatalf("provider portal: screen %q, want portal-home", second.Screen())
	}
	if ps[0].pt.Sessions() != 1 || ps[1].pt.Sessions() != 1 {
		t.Fatalf("portal sessions %d and %d, want 1 and 1", ps[0].pt.Sessions(), ps[1].pt.Sessions())
	}
	return home
}

// waitSignedOut flushes the back-channel outbox and waits (the server's
// own worker may deliver first) until the portal holds no session.
func waitSignedOut(t *testing.T, p *idp, tp testPortal) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := p.srv.FlushBackchannel(context.Background()); err != nil {
			t.Fatal(err)
		}
		if tp.pt.Sessions() == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("portal still holds %d sessions after the back-channel logout", tp.pt.Sessions())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSSO3_SignOutFromOnePortalSignsOutTheOther: signing out at the
// Member portal (RP-initiated logout with the ID token) makes the
// provider post a logout token to the Provider portal, which drops its
// session without the person visiting it again.
func TestSSO3_SignOutFromOnePortalSignsOutTheOther(t *testing.T) {
	p := startIdP(t, nil)
	ps := startPortalPair(t, p)
	b := newBrowser(t)
	home := signedInAtBoth(t, p, ps, b, "bc@example.org")

	out := b.submit(home, "/logout", nil)
	if out.Screen() != "portal-signed-out" {
		t.Fatalf("sign-out ended at %s (screen %q)", out.URL, out.Screen())
	}
	// No request reaches the Provider portal from the browser: its
	// session store is empty all the same.
	waitSignedOut(t, p, ps[1])
	if ps[0].pt.Sessions() != 0 {
		t.Fatal("the member portal kept its session")
	}
	if again := b.get(ps[1].srv.URL + "/"); again.Screen() != "portal-signed-out" {
		t.Fatalf("provider portal shows %q after the back-channel logout", again.Screen())
	}
}

// Signing out at the provider's own /logout (confirmed by POST) tells
// both portals.
func TestSSO3_SignOutAtTheProviderSignsEveryPortalOut(t *testing.T) {
	p := startIdP(t, nil)
	ps := startPortalPair(t, p)
	b := newBrowser(t)
	signedInAtBoth(t, p, ps, b, "bc2@example.org")

	confirm := b.get(p.url("/logout"))
	if confirm.Screen() != "logout" {
		t.Fatalf("GET /logout shows %q, want the logout confirmation", confirm.Screen())
	}
	if out := b.submit(confirm, "/logout", nil); out.Screen() != "signed-out" {
		t.Fatalf("POST /logout shows %q", out.Screen())
	}
	waitSignedOut(t, p, ps[0])
	waitSignedOut(t, p, ps[1])
}

// TestSSO3_BareGETCannotSignOut: links and images (a GET from another
// site) reach /logout, /end_session without a valid hint, and the
// portal's /logout; none ends a session anywhere. A cross-site POST to
// /logout is refused too.
func TestSSO3_BareGETCannotSignOut(t *testing.T) {
	p := startIdP(t, nil)
	ps := startPortalPair(t, p)
	b := newBrowser(t)
	signedInAtBoth(t, p, ps, b, "bare@example.org")

	for _, u := range []string{
		p.url("/logout"),
		p.url("/logout?client_id=member-portal&post_logout_redirect_uri=" + url.QueryEscape(ps[0].srv.URL+"/")),
		p.url("/end_session"),
		p.url("/end_session?client_id=member-portal"),
		p.url("/end_session?id_token_hint=eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0."),
		ps[0].srv.URL + "/logout",
		ps[1].srv.URL + "/logout",
	} {
		b.get(u)
	}
	req, _ := http.NewRequest(http.MethodPost, p.url("/logout"), strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if forged := b.do(req); forged.Status != http.StatusForbidden && forged.Status != http.StatusBadRequest {
		t.Errorf("cross-site POST /logout = %d, want refused", forged.Status)
	}
	if _, err := p.srv.FlushBackchannel(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, tp := range ps {
		if tp.pt.Sessions() != 1 {
			t.Errorf("portal %d lost its session to a GET", i)
		}
		if still := b.get(tp.srv.URL + "/"); still.Screen() != "portal-home" {
			t.Errorf("portal %d shows %q, want still signed in", i, still.Screen())
		}
	}
	if home := b.get(p.url("/account")); strings.Contains(home.URL.Path, "login") {
		t.Errorf("the provider session ended: /account went to %s", home.URL)
	}
}

// A portal's back-channel endpoint refuses what is not a valid logout
// token with 400 and keeps its sessions (the claims checks themselves
// are tested in package portal).
func TestSSO3_PortalRefusesInvalidLogoutTokens(t *testing.T) {
	p := startIdP(t, nil)
	ps := startPortalPair(t, p)
	b := newBrowser(t)
	signedInAtBoth(t, p, ps, b, "bad@example.org")
	for name, tok := range map[string]string{
		"empty":    "",
		"garbage":  "not.a.jwt",
		"unsigned": "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4Iiwic2lkIjoieCJ9.",
	} {
		resp, err := http.PostForm(ps[1].srv.URL+"/backchannel-logout", url.Values{"logout_token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
		}
	}
	if ps[1].pt.Sessions() != 1 {
		t.Fatal("an invalid logout token dropped a session")
	}
}

func accountID(t *testing.T, p *idp, email string) string {
	t.Helper()
	key, _ := accounts.NormalizeEmail(email)
	a, err := p.store.AccountByEmailKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// A password change made elsewhere (another session of the account) ends
// this browser's session, and its portals are told (SSO-3, PWD-5).
func TestSSO3_PasswordChangeElsewhereSignsPortalsOut(t *testing.T) {
	p := startIdP(t, nil)
	ps := startPortalPair(t, p)
	b := newBrowser(t)
	const email = "change@example.org"
	signedInAtBoth(t, p, ps, b, email)
	err := p.srv.Accounts().ChangePassword(context.Background(), accountID(t, p, email), "another-session",
		"Correct-Horse-9", "Another-Horse-42!", "Another-Horse-42!", accounts.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	waitSignedOut(t, p, ps[0])
	waitSignedOut(t, p, ps[1])
}

// Disabling an account (staff) signs it out of every portal.
func TestSSO3_DisableSignsPortalsOut(t *testing.T) {
	p := startIdP(t, nil)
	ps := startPortalPair(t, p)
	b := newBrowser(t)
	const email = "disable@example.org"
	signedInAtBoth(t, p, ps, b, email)
	if err := p.srv.Accounts().Disable(context.Background(), accountID(t, p, email), "staff-1", accounts.Meta{}); err != nil {
		t.Fatal(err)
	}
	waitSignedOut(t, p, ps[0])
	waitSignedOut(t, p, ps[1])
}
