package server_test

import (
	"context"
	"net/http"
	"strings"
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
