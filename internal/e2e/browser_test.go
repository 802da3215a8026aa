package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// TestSSO1_BrowserSignUpSignInSingleSignOnSignOut is issue 2's newcomer
// path in headless Chromium, in English and in Spanish: open the Member
// portal, sign in, create an account (ACC-2), activate it from the email
// (ACC-3), sign in identity-first (LOGIN-1, LOGIN-3, LOGIN-7), land on the
// Member portal signed in, open the Provider portal with no prompt
// (SSO-1), sign out there and find both portals signed out (SSO-3), the
// Member portal through back-channel logout, without a visit.
func TestSSO1_BrowserSignUpSignInSingleSignOnSignOut(t *testing.T) {
	chromium := requireBrowser(t)
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, email, first, last, subject string
	}{
		{"en", "Ada.Lovelace@Example.test", "Ada", "Lovelace", "Activate your account"},
		{"es", "juana.ines@example.test", "Juana Inés", "de la Cruz", "Activa tu cuenta"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			tr := func(key string) string { return catalog.T(tc.lang, key) }
			const pw = "Correct-Horse-7-Battery"
			demo := StartDemo(t)
			c := newChrome(t, chromium)

			// The Member portal, signed out, sends us to screen 1.
			c.open(demo.Member.URL + "/")
			c.waitScreen("portal-signed-out")
			c.click("#signin")
			c.waitScreen("identify")
			if tc.lang != "en" {
				c.choose("#lang", tc.lang)
				c.click(`form:has(#lang) button[type="submit"]`)
				c.waitScreen("identify")
			}
			if h := c.text("h1"); h != tr("identify.heading") {
				t.Errorf("screen 1 heading %q, want %q", h, tr("identify.heading"))
			}
			c.shot("1-identify")

			// Create the account.
			c.click("#create-account")
			c.waitScreen("signup")
			if h := c.text("h1"); h != tr("signup.heading") {
				t.Errorf("sign-up heading %q, want %q", h, tr("signup.heading"))
			}
			c.fill(`input[name="email"]`, tc.email)
			c.fill(`input[name="first_name"]`, tc.first)
			c.fill(`input[name="last_name"]`, tc.last)
			c.choose(`select[name="language"]`, tc.lang)
			c.fill(`input[name="password"]`, pw)
			c.fill(`input[name="confirm_password"]`, pw)
			c.shot("0-signup")
			c.click("#submit")
			c.waitScreen("check-email")

			// Activate from the email, in the account's language.
			mail := demo.IdP.WaitForMail(t, tc.email, tc.subject)
			link := mail.Link(demo.IdP.Issuer, "/activate")
			if link == "" {
				t.Fatalf("no activation link in %q; links %q", mail.Subject, mail.Links())
			}
			c.open(link)
			c.waitScreen("activate")
			c.fill(`input[name="password"]`, pw) // the password chosen at sign-up (H1)
			c.click("#submit")
			c.waitScreen("activated")
			if h := c.text("h1"); h != tr("activated.heading") {
				t.Errorf("activated heading %q, want %q", h, tr("activated.heading"))
			}

			// Identity-first sign-in from the Member portal.
			c.open(demo.Member.URL + "/")
			c.waitScreen("portal-signed-out")
			c.click("#signin")
			c.waitScreen("identify")
			c.fill(`input[name="username"]`, tc.email)
			c.click("#submit")
			c.waitScreen("password")
			if h := c.text("h1"); h != tr("password.heading") {
				t.Errorf("screen 2 heading %q, want %q", h, tr("password.heading"))
			}
			c.fill(`input[name="password"]`, pw)
			c.shot("2-password")
			c.click("#submit")
			c.waitScreen("portal-home")
			if loc := c.location(); !strings.HasPrefix(loc, demo.Member.URL+"/") {
				t.Fatalf("after sign-in at %s, want the Member portal %s", loc, demo.Member.URL)
			}
			name := tc.first + " " + tc.last
			if got := c.text("#user-name"); got != name {
				t.Errorf("Member portal shows %q, want %q", got, name)
			}
			c.shot("3-member-portal")

			// The Provider portal signs in with no prompt.
			c.click("a.other-portal")
			c.waitScreen("portal-home")
			if loc := c.location(); !strings.HasPrefix(loc, demo.Provider.URL+"/") {
				t.Fatalf("opening the Provider portal ended at %s (screen %q), want it signed in with no prompt", loc, c.screen())
			}
			if got := c.text("#user-name"); got != name {
				t.Errorf("Provider portal shows %q, want %q", got, name)
			}
			c.shot("4-provider-portal")

			// Sign out from the Provider portal ends both.
			c.click("#signout")
			if c.screen() == "logout" { // the provider asked to confirm
				c.click("#submit")
			}
			c.waitScreen("portal-signed-out")
			if loc := c.location(); !strings.HasPrefix(loc, demo.Provider.URL+"/") {
				t.Errorf("after sign-out at %s, want the Provider portal", loc)
			}
			// The Member portal was told over the back channel (SSO-3):
			// its session is gone before the browser goes back to it.
			waitNoPortalSession(t, demo.Member)
			c.open(demo.Member.URL + "/")
			if s := c.screen(); s != "portal-signed-out" {
				t.Errorf("Member portal after signing out of the Provider portal: screen %q, want portal-signed-out", s)
			}
			// The single sign-on session is gone: signing in asks again.
			c.open(demo.Provider.URL + "/login")
			c.waitScreen("identify")
		})
	}
}

// waitNoPortalSession waits up to five seconds for the portal to hold no
// session: the provider's back-channel worker delivers within a second
// of a sign-out.
func waitNoPortalSession(t *testing.T, p *RunningPortal) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.Portal.Sessions() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s still holds %d sessions: no back-channel logout", p.ClientID, p.Portal.Sessions())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
