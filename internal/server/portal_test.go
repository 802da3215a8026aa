package server_test

import (
	"net/http"
	"testing"
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
