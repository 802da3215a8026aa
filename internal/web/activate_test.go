package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// activationToken signs up email with pw in a fresh browser and returns
// the token of the activation email that sign-up sent.
func (e *env) activationToken(t *testing.T, email, first, pw string) string {
	t.Helper()
	v := signupValues(email)
	v.Set("first_name", first)
	v.Set("password", pw)
	v.Set("confirm_password", pw)
	e.browser().post("/signup", v).wantStatus(t, 200).wantScreen(t, "check-email")
	u, err := url.Parse(e.mail.lastLink(t, email, "activate"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// TestH1_ActivationScreenAsksForTheSignUpPassword: the activation screen
// is a form with the password chosen at sign-up. Someone else's sign-up
// for the same address (pre-hijacking) sent the first email; with the
// owner's password that link is refused with a clear message, the form
// stays for the same link, and nothing is activated. The owner's own
// link activates.
func TestH1_ActivationScreenAsksForTheSignUpPassword(t *testing.T) {
	e := newEnv(t)
	const ownerPassword = "Owners-Own-Pass-2"
	attackers := e.activationToken(t, "prey@example.test", "Mallory", "Attacker-Pass-1")
	owners := e.activationToken(t, "prey@example.test", "Ana", ownerPassword)

	b := e.browser()
	b.get("/activate?token="+url.QueryEscape(attackers)).wantStatus(t, 200).wantScreen(t, "activate").
		wantBody(t, `action="`+issuer+`/activate"`, `name="token" value="`+attackers+`"`,
			`name="password" type="password"`, `id="submit"`, "The password you chose when you created the account.")

	r := b.post("/activate", url.Values{"token": {attackers}, "password": {ownerPassword}}).
		wantStatus(t, http.StatusUnauthorized).wantScreen(t, "activate").
		wantBody(t, `id="password-error"`, `aria-invalid="true"`, `name="token" value="`+attackers+`"`,
			"match the one chosen when this activation email was requested; use the password you chose, or sign up again.", `id="signup-again"`)
	if strings.Contains(r.body, ownerPassword) {
		t.Error("the page prints the password back")
	}
	if a, _ := e.acc.Lookup(context.Background(), "prey@example.test"); a.Status != domain.StatusPending {
		t.Fatalf("a wrong password changed the account to %s", a.Status)
	}

	r = b.post("/activate", url.Values{"token": {owners}, "password": {ownerPassword}}).wantStatus(t, http.StatusSeeOther)
	if r.Header.Get("Location") != issuer+"/activated" {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
	a, _ := e.acc.Lookup(context.Background(), "prey@example.test")
	if a.Status != domain.StatusActive || a.FirstName != "Ana" {
		t.Fatalf("account %+v, want active with the owner's sign-up", a)
	}
	b.signIn("prey@example.test", ownerPassword, "", false).wantStatus(t, http.StatusSeeOther)

	// The attacker's link is void now.
	e.browser().post("/activate", url.Values{"token": {attackers}, "password": {"Attacker-Pass-1"}}).
		wantStatus(t, http.StatusBadRequest).wantScreen(t, "activate").wantBody(t, "This link is not valid.")
}

func TestH1_ActivationWithoutPasswordAsksForIt(t *testing.T) {
	e := newEnv(t)
	token := e.activationToken(t, "ana@example.test", "Ana", goodPassword)
	e.browser().post("/activate", url.Values{"token": {token}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "activate").
		wantBody(t, `id="password-error"`, `name="token" value="`+token+`"`)
	e.browser().post("/activate", url.Values{"token": {"made-up"}}).
		wantStatus(t, http.StatusBadRequest).wantScreen(t, "activate").wantBody(t, "This link is not valid.")
}

// Five wrong passwords spend the link; the screen then says it is not
// valid.
func TestH1_ActivationLinkSpentAfterFiveWrongPasswords(t *testing.T) {
	e := newEnv(t)
	token := e.activationToken(t, "ana@example.test", "Ana", goodPassword)
	b := e.browser()
	wrong := url.Values{"token": {token}, "password": {"Wrong-Password-1"}}
	for range 4 {
		b.post("/activate", wrong).wantStatus(t, http.StatusUnauthorized).wantScreen(t, "activate")
	}
	b.post("/activate", wrong).wantStatus(t, http.StatusBadRequest).wantBody(t, "This link is not valid.")
	b.post("/activate", url.Values{"token": {token}, "password": {goodPassword}}).wantStatus(t, http.StatusBadRequest)
}
