package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const newPassword = "Another-Horse-7"

// accountKeys are the message keys the account pages choose in Go code or
// build from names, which the template scan does not see.
var accountKeys = []string{
	"field.phone", "field.fax", "field.first_name", "field.last_name", "field.current_password", "field.new_password",
	"field.new_email", "account.phone.hint", "account.fax.hint", "account.saved", "account.password_changed",
	"phone.invalid", "password.current_wrong", "reauth.too_many", "email.same", "email_change.taken",
	"account_email.sent", "email_confirm.done", "password.common",
}

func TestPROF3_AccountKeysInEveryLanguage(t *testing.T) {
	e := newEnv(t)
	if missing := e.srv.cat.Missing(accountKeys...); len(missing) > 0 {
		t.Fatalf("missing: %v", missing)
	}
}

// TestPROF1_AccountPagesNeedALiveSession: every account page and form
// sends a browser without a live session to sign in, also once the session
// has been idle for SessionIdle (SSO-2).
func TestPROF1_AccountPagesNeedALiveSession(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	for _, path := range []string{"/account", "/account/password", "/account/email"} {
		r := b.get(path).wantStatus(t, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != issuer+"/login" {
			t.Errorf("GET %s: Location %q", path, loc)
		}
	}
	for _, path := range []string{"/account/profile", "/account/password", "/account/email"} {
		b.post(path, url.Values{"first_name": {"X"}}).wantStatus(t, http.StatusSeeOther)
	}
	b.signIn("ana@example.test", goodPassword, "", false)
	b.get("/account/password").wantStatus(t, http.StatusOK).wantScreen(t, "account-password")
	e.clock.Advance(e.cfg.SessionIdle)
	b.get("/account/password").wantStatus(t, http.StatusFound)
	if a := e.lookup("ana@example.test"); a.FirstName != "Ana" {
		t.Errorf("a form without a session changed the profile: %q", a.FirstName)
	}
}

func (e *env) lookup(email string) *domain.Account {
	e.t.Helper()
	a, err := e.acc.Lookup(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func profileValues(lang string) url.Values {
	return url.Values{"first_name": {"Ana María"}, "last_name": {"Pérez"}, "phone": {"+1 555 010 0199"}, "fax": {""}, "language": {lang}}
}

// TestPROF1_ProfileForm: the account page shows the profile; the form
// saves it and comes back with a notice; problems are shown beside their
// fields and in the summary, and nothing is saved.
func TestPROF1_ProfileForm(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	b.get("/account").wantScreen(t, "account").wantBody(t,
		`action="`+issuer+`/account/profile"`, `id="first_name" name="first_name" type="text" value="Ana"`,
		`id="phone" name="phone" type="tel" value="" maxlength="32" autocomplete="tel" aria-describedby="phone-hint"`,
		`href="`+issuer+`/account/password"`, `href="`+issuer+`/account/email"`)
	r := b.post("/account/profile", profileValues("en")).wantStatus(t, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != issuer+"/account?done=profile" {
		t.Fatalf("Location %q", loc)
	}
	b.get("/account?done=profile").wantBody(t, `<p class="notice" role="status">Your details have been saved.</p>`, `value="Ana María"`, `value="&#43;1 555 010 0199"`)
	if a := e.lookup("ana@example.test"); a.FirstName != "Ana María" || a.Phone != "+1 555 010 0199" {
		t.Errorf("stored %q %q", a.FirstName, a.Phone)
	}
	bad := url.Values{"first_name": {"www.win.test"}, "last_name": {""}, "phone": {"call me"}, "fax": {"12"}, "language": {"en"}}
	r = b.post("/account/profile", bad).wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "account")
	r.wantBody(t, "First name: Enter only your name", "Last name: Enter your last name.", "Phone number: Enter a phone number of 7 to 15 digits",
		`aria-invalid="true"`, `value="www.win.test"`)
	if strings.Index(r.body, `href="#phone"`) > strings.Index(r.body, `href="#fax"`) {
		t.Error("the summary is not in form order")
	}
	if a := e.lookup("ana@example.test"); a.FirstName != "Ana María" {
		t.Errorf("a refused form was saved: %q", a.FirstName)
	}
}

// TestPROF3_LanguageFromProfileDrivesScreens: screens follow the account's
// language when no language was chosen explicitly, and a language changed
// in the profile takes effect at once, even over an earlier choice.
func TestPROF3_LanguageFromProfileDrivesScreens(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "es")
	b := e.browser()
	b.header.Set("Accept-Language", "en")
	b.signIn("ana@example.test", goodPassword, "", false)
	b.get("/account").wantBody(t, `<html lang="es">`, "Tus datos")
	b.get("/account/password").wantBody(t, `<html lang="es">`, "Contraseña actual")
	b.get("/lang?l=es&next=/account") // an explicit choice
	b.post("/account/profile", profileValues("en")).wantStatus(t, http.StatusSeeOther)
	b.get("/account").wantBody(t, `<html lang="en">`, "Your details")
	b.get("/account/email").wantBody(t, `<html lang="en">`, "Change email address")
}

// TestPWD5_ChangePasswordPage: the form changes the password, keeps this
// browser signed in, signs the other browser out, and says so; a wrong
// current password is refused beside its field.
func TestPWD5_ChangePasswordPage(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b, other := e.browser(), e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	other.signIn("ana@example.test", goodPassword, "", false)
	b.get("/account/password").wantBody(t,
		`name="current_password" type="password"`, `name="new_password" type="password"`,
		`name="confirm_password" type="password"`, `<button id="submit" type="submit">Change password</button>`)

	r := b.post("/account/password", url.Values{"current_password": {"Wrong-Horse-1"}, "new_password": {newPassword}, "confirm_password": {newPassword}})
	r.wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "account-password").wantBody(t, "Current password: The current password is not correct.")
	if strings.Contains(r.body, "Wrong-Horse-1") || strings.Contains(r.body, newPassword) {
		t.Error("a password was printed back")
	}
	r = b.post("/account/password", url.Values{"current_password": {goodPassword}, "new_password": {newPassword}, "confirm_password": {newPassword}})
	if r.wantStatus(t, http.StatusSeeOther).Header.Get("Location") != issuer+"/account?done=password" {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
	b.get("/account?done=password").wantStatus(t, http.StatusOK).wantBody(t, "Your password has been changed.")
	other.get("/account").wantStatus(t, http.StatusFound)
	if len(e.mail.byTemplate("password_changed")) != 1 {
		t.Error("no password_changed email")
	}
}

// byTemplate returns the emails rendered with the template.
func (c *recordingComposer) byTemplate(template string) []composed {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []composed
	for _, m := range c.sent {
		if m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

// TestPROF2_ChangeEmailPages: asking for a free address and for a taken
// one shows the same page; the link's GET only shows a button; the POST
// makes a free address the username; a taken one, or a used, altered or
// missing link, gets a clear page with the way forward and changes
// nothing.
func TestPROF2_ChangeEmailPages(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.activeAccount("bob@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	var pages []string
	for _, addr := range []string{"free@example.test", "bob@example.test"} {
		r := b.post("/account/email", url.Values{"new_email": {addr}, "current_password": {goodPassword}}).wantStatus(t, http.StatusOK)
		r.wantScreen(t, "account-email").wantBody(t, "If "+addr+" can be used as a username, we have sent a confirmation link to it.",
			"Until you confirm, keep signing in with ana@example.test.")
		pages = append(pages, strings.ReplaceAll(r.body, addr, "ADDRESS"))
	}
	if pages[0] != pages[1] {
		t.Error("the page differs between a free and a taken address")
	}
	taken := e.mail.lastLink(t, "bob@example.test", "email_change")
	free := e.mail.lastLink(t, "free@example.test", "email_change")

	// The link to the taken address: a button, then a clear refusal.
	other := e.browserWithSecret("")
	r := other.get(strings.TrimPrefix(taken, issuer)).wantStatus(t, http.StatusOK).wantScreen(t, "email-confirm")
	r.wantBody(t, `<button id="submit" type="submit">Confirm email address</button>`)
	token := tokenOf(t, taken)
	other.post("/account/email/confirm", url.Values{"token": {token}}).wantStatus(t, http.StatusConflict).
		wantBody(t, "already the username of another account", `href="`+issuer+`/account/email"`)
	if e.lookup("ana@example.test").Email != "ana@example.test" {
		t.Fatal("the taken address changed the account")
	}

	// The free address is voided by the newer (taken) request: ask again.
	other.post("/account/email/confirm", url.Values{"token": {tokenOf(t, free)}}).wantStatus(t, http.StatusBadRequest).
		wantBody(t, "This link is not valid", "Ask for a new link")
	b.post("/account/email", url.Values{"new_email": {"free@example.test"}, "current_password": {goodPassword}}).wantStatus(t, http.StatusOK)
	free = e.mail.lastLink(t, "free@example.test", "email_change")
	other.post("/account/email/confirm", url.Values{"token": {tokenOf(t, free)}}).wantStatus(t, http.StatusOK).
		wantBody(t, "Your email address is now free@example.test.")
	if a := e.lookup("free@example.test"); a.FirstName != "Ana" {
		t.Errorf("new address not the username")
	}
	// Used, altered, missing.
	other.post("/account/email/confirm", url.Values{"token": {tokenOf(t, free)}}).wantStatus(t, http.StatusBadRequest)
	other.post("/account/email/confirm", url.Values{"token": {tokenOf(t, free) + "x"}}).wantStatus(t, http.StatusBadRequest)
	other.post("/account/email/confirm", url.Values{}).wantStatus(t, http.StatusBadRequest).wantBody(t, "Ask for a new link")
	other.get("/account/email/confirm").wantStatus(t, http.StatusBadRequest).wantScreen(t, "email-confirm")
	// The session keeps working under the new address.
	b.get("/account").wantStatus(t, http.StatusOK).wantBody(t, `<strong class="username">free@example.test</strong>`)
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// TestGolden_AccountPages renders the account pages in English and
// Spanish and compares them with testdata/<case>.<lang>.golden (-update
// rewrites them).
func TestGolden_AccountPages(t *testing.T) {
	cases := []struct {
		name   string
		status int
		get    func(e *env, b *browser) *response
	}{
		{"account-profile-errors", 422, func(e *env, b *browser) *response {
			return b.post("/account/profile", url.Values{"first_name": {"Ana"}, "last_name": {"a@b.test"}, "phone": {"x"}, "fax": {""}, "language": {"en"}})
		}},
		{"account-password", 200, func(e *env, b *browser) *response { return b.get("/account/password") }},
		{"account-password-errors", 422, func(e *env, b *browser) *response {
			return b.post("/account/password", url.Values{"current_password": {""}, "new_password": {"short"}, "confirm_password": {"other"}})
		}},
		{"account-email", 200, func(e *env, b *browser) *response { return b.get("/account/email") }},
		{"account-email-sent", 200, func(e *env, b *browser) *response {
			return b.post("/account/email", url.Values{"new_email": {"new@example.test"}, "current_password": {goodPassword}})
		}},
		{"email-confirm", 200, func(e *env, b *browser) *response { return b.get("/account/email/confirm?token=the-token") }},
		{"email-confirm-invalid", 400, func(e *env, b *browser) *response {
			return b.post("/account/email/confirm", url.Values{"token": {"the-token"}})
		}},
		{"email-confirm-done", 200, func(e *env, b *browser) *response {
			b.post("/account/email", url.Values{"new_email": {"new@example.test"}, "current_password": {goodPassword}})
			return b.post("/account/email/confirm", url.Values{"token": {tokenOf(e.t, e.mail.lastLink(e.t, "new@example.test", "email_change"))}})
		}},
	}
	for _, lang := range []string{"en", "es"} {
		for _, tc := range cases {
			t.Run(tc.name+"."+lang, func(t *testing.T) {
				e := newEnv(t)
				e.activeAccount("ana@example.test", lang)
				b := e.browser()
				b.header.Set("Accept-Language", lang)
				b.signIn("ana@example.test", goodPassword, "", false)
				e.clock.Advance(time.Minute)
				r := tc.get(e, b).wantStatus(t, tc.status)
				if !strings.Contains(r.body, `<html lang="`+lang+`">`) {
					t.Errorf("page is not in %s", lang)
				}
				got := normalize(b, r.body)
				path := filepath.Join("testdata", tc.name+"."+lang+".golden")
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs (go test -update rewrites it):\n%s", path, firstDiff(string(want), got))
				}
			})
		}
	}
}
