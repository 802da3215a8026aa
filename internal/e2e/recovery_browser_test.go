package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// TestREC4_BrowserLockUnlockThenForgottenPasswordReset is issue 3's
// recovery path in headless Chromium, in English and in Spanish: five
// wrong passwords lock the account (LOGIN-5); "Trouble logging in?" sends
// the recovery email (REC-1); its link unlocks the account and the current
// password signs in (REC-4). Then the password is forgotten: a new link
// leads to Reset Password, the success screen, the confirmation email
// with "Log into your account", and the new password signs in (REC-4,
// REC-7: the session of the first sign-in has ended).
func TestREC4_BrowserLockUnlockThenForgottenPasswordReset(t *testing.T) {
	chromium := requireBrowser(t)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, email, recoverSubject, doneSubject string
	}{
		{"en", "grace.hopper@example.test", "Reset your password or unlock your account", "Your password has been reset"},
		{"es", "sor.juana@example.test", "Restablece tu contraseña o desbloquea tu cuenta", "Se restableció tu contraseña"},
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
			c := newChrome(t, chromium)
			c.open(idp.Issuer + "/lang?l=" + tc.lang + "&next=/login")
			c.waitScreen("identify")

			// Five wrong passwords in a row lock the account.
			for range 5 {
				c.open(idp.Issuer + "/login")
				c.waitScreen("identify")
				c.fill(`input[name="username"]`, tc.email)
				c.click("#submit")
				if c.screen() != "password" {
					break // the account's state is shown on screen 1 (LOGIN-2)
				}
				c.fill(`input[name="password"]`, "Wrong-Password-1")
				c.click("#submit")
			}
			c.shot("1-locked")

			// "Trouble logging in?" sends the recovery email.
			c.open(idp.Issuer + "/login")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			if c.has("#trouble") {
				c.click("#trouble")
			} else {
				c.open(idp.Issuer + "/trouble")
			}
			if c.screen() == "trouble" { // else the locked screen sent it at once
				if h := c.text("h1"); h != tr("trouble.heading") {
					t.Errorf("trouble heading %q, want %q", h, tr("trouble.heading"))
				}
				c.fill(`input[name="username"]`, tc.email)
				c.click("#submit")
			}
			c.waitScreen("check-email")
			c.shot("2-check-email")

			// The link from the email unlocks; the current password signs in.
			first := idp.WaitForMail(t, tc.email, tc.recoverSubject).Link(idp.Issuer, "/recover")
			if first == "" {
				t.Fatal("no recovery link in the email")
			}
			c.open(first)
			c.waitScreen("recover")
			if h := c.text("h1"); h != tr("recover.unlock.title") {
				t.Errorf("unlock heading %q, want %q", h, tr("recover.unlock.title"))
			}
			c.click("#submit")
			c.waitScreen("success")
			if h := c.text("h1"); h != tr("success.unlock.title") {
				t.Errorf("success heading %q, want %q", h, tr("success.unlock.title"))
			}
			c.shot("3-unlocked")
			c.click("#submit")
			c.waitScreen("identify")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			c.waitScreen("password")
			c.fill(`input[name="password"]`, pw)
			c.click("#submit")
			c.waitScreen("account")

			// Forgotten password: a new link leads to Reset Password.
			c.open(idp.Issuer + "/trouble")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			c.waitScreen("check-email")
			second := waitForNewLink(t, idp, tc.email, tc.recoverSubject, first)
			c.open(first) // used: a clear page with the way to a new link
			c.waitScreen("recover")
			if !c.has("#new-link") {
				t.Errorf("a used link's page offers no new link\n%s", c.state())
			}
			c.open(second)
			c.waitScreen("reset-password")
			if h := c.text("h1"); h != tr("reset_password.title") {
				t.Errorf("reset heading %q, want %q", h, tr("reset_password.title"))
			}
			c.fill(`input[name="new_password"]`, newPw)
			c.fill(`input[name="confirm_password"]`, newPw)
			c.shot("4-reset-password")
			c.click("#submit")
			c.waitScreen("success")
			if h := c.text("h1"); h != tr("success.reset.title") {
				t.Errorf("success heading %q, want %q", h, tr("success.reset.title"))
			}

			// The confirmation email's "Log into your account" link; the
			// reset ended the earlier session, so sign-in asks again.
			done := idp.WaitForMail(t, tc.email, tc.doneSubject)
			login := done.Link(idp.Issuer, "/login")
			if login == "" {
				t.Fatalf("no login link in %q; links %q", done.Subject, done.Links())
			}
			c.open(login)
			c.waitScreen("identify")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			c.waitScreen("password")
			c.fill(`input[name="password"]`, newPw)
			c.click("#submit")
			c.waitScreen("account")
			c.shot("5-signed-in")
		})
	}
}

// waitForNewLink waits for a recovery email to `to` whose /recover link is
// not old, and returns the link.
func waitForNewLink(t *testing.T, idp *IdP, to, subject, old string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if link := idp.WaitForMail(t, to, subject).Link(idp.Issuer, "/recover"); link != "" && link != old {
			return link
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new recovery email to %s", to)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// has reports whether the page shown has an element with the selector.
func (c *chrome) has(sel string) bool {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`) !== null`))
	return err == nil && ok
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
