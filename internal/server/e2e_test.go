package server_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/mail"
)

// TestSSO1_SignUpActivateSignInBothPortalsSignOut runs issue 2's whole
// story over HTTP with a cookie jar: create an account from the Member
// portal, activate it from the email, sign in identity-first at the
// Member portal, open the Provider portal with no prompt, sign out, and
// find both portals signed out.
func TestSSO1_SignUpActivateSignInBothPortalsSignOut(t *testing.T) {
	p := startIdP(t, nil)
	member, provider := startPortals(t, p)
	b := newBrowser(t)
	const email, pw = "Ana.Example@Example.org", "Correct-Horse-9"

	home := b.get(member.URL + "/")
	if home.Screen() != "portal-signed-out" {
		t.Fatalf("member portal first shows %q, want portal-signed-out", home.Screen())
	}

	signUp(t, p, b, member.URL, email, pw)
	signedIn := signIn(t, b, member.URL, email, pw)
	if !strings.Contains(signedIn.Body, "Ana Example") || !strings.Contains(signedIn.Body, email) {
		t.Errorf("member portal does not show who is signed in:\n%s", signedIn.Body)
	}

	// The Provider portal signs in with no prompt (SSO-1).
	b.visited()
	second := b.get(provider.URL + "/login")
	if second.Screen() != "portal-home" || !strings.Contains(second.Body, "Ana Example") {
		t.Fatalf("provider portal ended at %s (screen %q), want signed in:\n%s", second.URL, second.Screen(), second.Body)
	}
	idpHost := strings.TrimPrefix(p.cfg.Issuer, "http://")
	for _, path := range b.visited() {
		if path == idpHost+"/login/password" {
			t.Errorf("single sign-on asked for the password again: visited %s", path)
		}
	}

	// Sign out at the Member portal: RP-initiated logout ends the single
	// sign-on session and comes back signed out.
	out := b.submit(signedIn, "/logout", nil)
	if out.Screen() != "portal-signed-out" || out.URL.Host != strings.TrimPrefix(member.URL, "http://") {
		t.Fatalf("sign-out ended at %s (screen %q), want the member portal signed out:\n%s", out.URL, out.Screen(), out.Body)
	}
	// The Provider portal's tokens belonged to the ended session.
	if again := b.get(provider.URL + "/"); again.Screen() != "portal-signed-out" {
		t.Errorf("provider portal still signed in after sign-out (screen %q)", again.Screen())
	}
	// And signing in again asks who you are.
	if again := b.get(member.URL + "/login"); again.Screen() != "identify" {
		t.Errorf("after sign-out, portal sign-in shows %q, want identify", again.Screen())
	}

	// The sign-in was counted from the audit log, and audited.
	_, metrics := p.get(t, "/metrics")
	if !strings.Contains(metrics, `entrykeyid_signins_total{outcome="success"} 1`) {
		t.Errorf("metrics do not count the sign-in:\n%s", grepLines(metrics, "entrykeyid_signins_total"))
	}
	key, _ := accounts.NormalizeEmail(email)
	acct, err := p.store.AccountByEmailKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	events, err := p.store.ListAudit(context.Background(), domain.AuditFilter{AccountID: acct.ID})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	for _, want := range []string{domain.AuditAccountCreate, domain.AuditActivate, domain.AuditSignInSuccess, domain.AuditSignOut} {
		if !slices.Contains(types, want) {
			t.Errorf("audit log of the account lacks %s: %v", want, types)
		}
	}
}

// signUp creates an account from the portal's sign-in (screen 1, "Create
// account"), reads the activation link from the outbox, checks the mail
// worker wrote the email to <data-dir>/mail, and activates the account.
func signUp(t *testing.T, p *idp, b *browser, portalURL, email, pw string) {
	t.Helper()
	identify := b.get(portalURL + "/login")
	if identify.Screen() != "identify" || !strings.HasPrefix(identify.URL.String(), p.url("/login")) {
		t.Fatalf("portal sign-in reached %s (screen %q), want the identify screen", identify.URL, identify.Screen())
	}
	signup := b.get(identify.link("create-account"))
	checkEmail := b.submit(signup, "/signup", map[string]string{
		"email": email, "first_name": "Ana", "last_name": "Example", "language": "en",
		"password": pw, "confirm_password": pw,
	})
	if checkEmail.Screen() != "check-email" {
		t.Fatalf("sign-up gave screen %q (status %d), want check-email:\n%s", checkEmail.Screen(), checkEmail.Status, checkEmail.Body)
	}
	link := activationLink(t, p, email)
	waitForMailFile(t, filepath.Join(p.cfg.DataDir, "mail"))
	activate := b.get(link)
	if activate.Screen() != "activate" {
		t.Fatalf("activation link shows %q, want activate", activate.Screen())
	}
	// Activation asks for the password chosen at sign-up (H1).
	if activated := b.submit(activate, "/activate", map[string]string{"password": pw}); activated.Screen() != "activated" {
		t.Fatalf("activation gave %q, want activated:\n%s", activated.Screen(), activated.Body)
	}
}

// signIn signs in identity-first from the portal and returns the portal's
// signed-in home page.
func signIn(t *testing.T, b *browser, portalURL, email, pw string) *page {
	t.Helper()
	identify := b.get(portalURL + "/login")
	pwPage := b.submit(identify, "/login", map[string]string{"username": email})
	if pwPage.Screen() != "password" {
		t.Fatalf("screen 1 gave %q, want password:\n%s", pwPage.Screen(), pwPage.Body)
	}
	home := b.submit(pwPage, "/login/password", map[string]string{"password": pw})
	if home.Screen() != "portal-home" || "http://"+home.URL.Host != portalURL {
		t.Fatalf("sign-in ended at %s (screen %q), want the portal home:\n%s", home.URL, home.Screen(), home.Body)
	}
	return home
}

var activationPattern = regexp.MustCompile(`https?://\S+/activate\?token=[A-Za-z0-9_-]+`)

// activationLink reads the newest activation link sent to email from the
// .eml files the mail worker writes, waiting up to 10 s for one. (The
// outbox is no place to read it: the worker is woken as soon as the
// message is enqueued, and a sent message's body is cleared.)
func activationLink(t *testing.T, p *idp, email string) string {
	t.Helper()
	dir := filepath.Join(p.cfg.DataDir, "mail")
	var link string
	for deadline := time.Now().Add(10 * time.Second); link == "" && time.Now().Before(deadline); {
		names, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		sort.Strings(names)
		for _, name := range names {
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			m, err := mail.ReadEML(f)
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if strings.Contains(strings.ToLower(m.To), strings.ToLower(email)) {
				if l := activationPattern.FindString(m.Text); l != "" {
					link = l
				}
			}
		}
		if link == "" {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if link == "" {
		t.Fatalf("no activation link to %s in %s", email, dir)
	}
	if !strings.HasPrefix(link, p.cfg.Issuer+"/") {
		t.Errorf("activation link %s is not on the issuer %s", link, p.cfg.Issuer)
	}
	return link
}

// waitForMailFile waits for the mail worker to write an .eml file.
func waitForMailFile(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if names, _ := filepath.Glob(filepath.Join(dir, "*.eml")); len(names) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("the mail worker wrote no .eml file into %s (found %d entries)", dir, len(entries))
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
