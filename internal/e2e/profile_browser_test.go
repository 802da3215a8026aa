package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// TestPROF2_BrowserChangePasswordThenEmail is issue 3's account management
// in headless Chromium, in English and in Spanish (PROF-3: the account's
// language, with no choice made in this browser): a signed-in person
// changes the password (PWD-5): this browser stays signed in, another one
// is signed out, the notice email arrives. Then the email address
// (PROF-2): the new address gets a link, the old one still signs in until
// it is used; the link's page confirms with a button; the old address is
// told; the new address and password sign in.
func TestPROF2_BrowserChangePasswordThenEmail(t *testing.T) {
	chromium := requireBrowser(t)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, email, newEmail, changedSubject, confirmSubject, noticeSubject string
	}{
		{"en", "ada.lovelace@example.test", "ada.new@example.test", "Your password was changed", "Confirm your new email address", "Your email address was changed"},
		{"es", "rosalia.castro@example.test", "rosalia.nueva@example.test", "Se cambió tu contraseña", "Confirma tu nueva dirección de correo", "Se cambió tu dirección de correo"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			tr := func(key string) string { return catalog.T(tc.lang, key) }
			const pw, newPw = "Correct-Horse-7-Battery", "Fresh-Start-2-Lantern"
			idp := StartIdP(t)
			a := idp.CreateActiveAccount(t, tc.email, "Ana", "Pérez", pw)
			a.Language = tc.lang
			if err := idp.Store.UpdateAccount(context.Background(), a); err != nil {
				t.Fatal(err)
			}

			// Another device, signed in too.
			other := NewHTTPBrowser(t)
			other.Get(idp.Issuer + "/login").ExpectScreen("identify").Submit(map[string]string{"username": tc.email}).ExpectScreen("password")
			other.Submit(map[string]string{"password": pw}).ExpectScreen("account")

			c := newChrome(t, chromium)
			c.open(idp.Issuer + "/login")
			c.waitScreen("identify")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			c.waitScreen("password")
			c.fill(`input[name="password"]`, pw)
			c.click("#submit")
			c.waitScreen("account")
			if h := c.text("#profile-heading"); h != tr("account.profile.heading") {
				t.Errorf("profile heading %q, want %q (the account's language)", h, tr("account.profile.heading"))
			}
			c.shot("1-account")

			// PWD-5: change the password.
			c.click("#change-password")
			c.waitScreen("account-password")
			c.fill(`input[name="current_password"]`, pw)
			c.fill(`input[name="new_password"]`, newPw)
			c.fill(`input[name="confirm_password"]`, newPw)
			c.shot("2-change-password")
			c.click("#submit")
			c.waitScreen("account")
			if n := c.text(".notice"); n != tr("account.password_changed") {
				t.Errorf("notice %q, want %q", n, tr("account.password_changed"))
			}
			idp.WaitForMail(t, tc.email, tc.changedSubject)
			other.Get(idp.Issuer + "/account").ExpectScreen("identify")

			// PROF-2: change the email address.
			c.click("#change-email")
			c.waitScreen("account-email")
			c.fill(`input[name="new_email"]`, tc.newEmail)
			c.fill(`input[name="current_password"]`, newPw)
			c.click("#submit")
			c.waitScreen("account-email")
			if n := c.text(".notice"); !strings.Contains(n, tc.newEmail) {
				t.Errorf("notice %q does not name %s", n, tc.newEmail)
			}
			c.shot("3-email-sent")
			link := idp.WaitForMail(t, tc.newEmail, tc.confirmSubject).Link(idp.Issuer, "/account/email/confirm")
			if link == "" {
				t.Fatal("no confirmation link in the email")
			}
			// Not confirmed yet: the old address still signs in.
			other = NewHTTPBrowser(t)
			other.Get(idp.Issuer + "/login").Submit(map[string]string{"username": tc.email}).ExpectScreen("password")
			other.Submit(map[string]string{"password": newPw}).ExpectScreen("account")

			c.open(link)
			c.waitScreen("email-confirm")
			c.shot("4-confirm")
			c.click("#submit")
			c.waitScreen("email-confirm")
			if n := c.text(".notice"); !strings.Contains(n, tc.newEmail) {
				t.Errorf("confirmation %q does not name %s", n, tc.newEmail)
			}
			c.shot("5-confirmed")
			idp.WaitForMail(t, tc.email, tc.noticeSubject)

			// The new address and password sign in; the old address no longer.
			fresh := NewHTTPBrowser(t)
			fresh.Get(idp.Issuer + "/login").Submit(map[string]string{"username": tc.newEmail}).ExpectScreen("password")
			fresh.Submit(map[string]string{"password": newPw}).ExpectScreen("account")
			old := NewHTTPBrowser(t)
			old.Get(idp.Issuer + "/login").Submit(map[string]string{"username": tc.email})
			if old.Screen() == "password" {
				old.Submit(map[string]string{"password": newPw})
			}
			if old.Screen() == "account" {
				t.Error("the old address still signs in after the change")
			}
		})
	}
}
