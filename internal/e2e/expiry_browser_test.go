package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// TestPWD3_BrowserExpiredPasswordRecoveryResetSignIn is issue 3's expired
// password path in headless Chromium, in English and in Spanish: the
// password is a year old (the running server's clock is real, so the
// password's time is moved back a year instead of the clock forward);
// screen 1 shows the expired message with "Trouble logging in?"; its
// button sends the recovery email; the link leads to Reset Password; the
// new password signs in (PWD-3, LOGIN-2, REC-4).
func TestPWD3_BrowserExpiredPasswordRecoveryResetSignIn(t *testing.T) {
	chromium := requireBrowser(t)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, email, recoverSubject string }{
		{"en", "katherine.johnson@example.test", "Reset your password or unlock your account"},
		{"es", "ada.byron@example.test", "Restablece tu contraseña o desbloquea tu cuenta"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			tr := func(key string) string { return catalog.T(tc.lang, key) }
			const pw, newPw = "Correct-Horse-7-Battery", "Fresh-Start-2-Lantern"
			idp := StartIdP(t)
			a := idp.CreateActiveAccount(t, tc.email, "Ana", "Pérez", pw)
			yearAgo := time.Now().UTC().Add(-365*24*time.Hour - time.Minute)
			a.Language, a.PasswordChangedAt, a.CreatedAt = tc.lang, yearAgo, yearAgo
			if err := idp.Store.UpdateAccount(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			c := newChrome(t, chromium)
			c.open(idp.Issuer + "/lang?l=" + tc.lang + "&next=/login")
			c.waitScreen("identify")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			c.waitScreen("locked")
			if h := c.text("h1"); h != tr("locked.expired.title") {
				t.Errorf("heading %q, want %q", h, tr("locked.expired.title"))
			}
			c.shot("1-expired")
			c.click("#trouble")
			c.waitScreen("check-email")

			link := idp.WaitForMail(t, tc.email, tc.recoverSubject).Link(idp.Issuer, "/recover")
			if link == "" {
				t.Fatal("no recovery link in the email")
			}
			c.open(link)
			c.waitScreen("reset-password")
			c.fill(`input[name="new_password"]`, newPw)
			c.fill(`input[name="confirm_password"]`, newPw)
			c.click("#submit")
			c.waitScreen("success")
			c.click("#submit")
			c.waitScreen("identify")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			c.waitScreen("password")
			c.fill(`input[name="password"]`, newPw)
			c.click("#submit")
			c.waitScreen("account")
			c.shot("2-signed-in")
		})
	}
}
