package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const resetTo = "Brand-New-Pass-42"

// recoverPath returns the local path of the newest recovery link to addr.
func (e *env) recoverPath(addr string) string {
	e.t.Helper()
	u, err := url.Parse(e.mail.lastLink(e.t, addr, accounts.TemplateRecover))
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Path + "?" + u.RawQuery
}

// trouble posts the "Trouble logging in?" form for addr.
func (b *browser) trouble(addr string) *response {
	b.e.t.Helper()
	return b.post("/trouble", url.Values{"username": {addr}})
}

// lock locks the account after five wrong passwords (LOGIN-5).
func (e *env) lock(addr string) {
	e.t.Helper()
	for range domain.MaxFailedLogins {
		e.acc.Authenticate(context.Background(), addr, "Wrong-Password-1", accounts.Meta{})
	}
}

func TestREC1_TroubleSendsTheLinkAndShowsCheckEmail(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.post("/login", url.Values{"username": {"ana@example.test"}}).wantScreen(t, "password").
		wantBody(t, `id="trouble" href="`+issuer+`/trouble"`)
	b.get("/trouble").wantStatus(t, http.StatusOK).wantScreen(t, "trouble").wantBody(t, `name="username"`)
	b.trouble("ana@example.test").wantStatus(t, http.StatusOK).wantScreen(t, "check-email").
		wantBody(t, `id="resend"`, `action="`+issuer+`/trouble/resend"`)
	if !strings.HasPrefix(e.recoverPath("ana@example.test"), "/recover?token=") {
		t.Fatal("no recovery link")
	}
	// An unknown address gets the very same screen.
	other := e.browser()
	got := other.trouble("nobody@example.test").wantStatus(t, http.StatusOK).wantScreen(t, "check-email")
	want := b.trouble("ana@example.test")
	strip := func(r *response, b *browser) string {
		body := strings.ReplaceAll(r.body, b.csrf(), "")
		return strings.NewReplacer("nobody@example.test", "X", "ana@example.test", "X").Replace(body)
	}
	if strip(got, other) != strip(want, b) {
		t.Fatal("the screen differs for an unknown address")
	}
	b.post("/trouble", url.Values{"username": {""}}).wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "trouble")
	b.post("/trouble", url.Values{"username": {"not-an-address"}}).wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "trouble")
}

func TestREC3_ThreeResendsThenContactSupport(t *testing.T) {
	for _, addr := range []string{"ana@example.test", "nobody@example.test"} {
		t.Run(addr, func(t *testing.T) {
			e := newEnv(t)
			e.activeAccount("ana@example.test", "en")
			b := e.browser()
			b.trouble(addr).wantScreen(t, "check-email").wantBody(t, `name="resends" value="0"`)
			for i := range accounts.MaxRecoveryResends {
				r := b.post("/trouble/resend", url.Values{"email": {addr}, "resends": {strconv.Itoa(i)}})
				r.wantStatus(t, http.StatusOK).wantScreen(t, "check-email")
				if i+1 < accounts.MaxRecoveryResends {
					r.wantBody(t, `id="resend"`)
				} else if strings.Contains(r.body, `id="resend"`) || !strings.Contains(r.body, `id="contact-support"`) {
					t.Fatalf("after %d resends: no contact-support message\n%s", i+1, excerpt(r.body))
				}
			}
			b.post("/trouble/resend", url.Values{"email": {addr}, "resends": {"3"}}).wantScreen(t, "check-email").wantBody(t, `id="contact-support"`)
		})
	}
}

func TestREC4_LockedAccountUnlocksFromTheLink(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.lock("ana@example.test")
	b := e.browser()
	b.trouble("ana@example.test")
	path := e.recoverPath("ana@example.test")
	token := strings.TrimPrefix(path, "/recover?token=")
	r := b.get(path).wantStatus(t, http.StatusOK).wantScreen(t, "recover").wantBody(t, `id="submit"`)
	if strings.Contains(r.body, `name="new_password"`) {
		t.Fatal("the unlock screen asks for a password")
	}
	r = b.post("/recover", url.Values{"token": {token}}).wantStatus(t, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if loc != issuer+"/recover/done?action=unlock" {
		t.Fatalf("Location %s", loc)
	}
	b.get("/recover/done?action=unlock").wantScreen(t, "success").wantBody(t, `id="submit"`, `href="`+issuer+`/login"`)
	b.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
}

func TestREC4_ForgottenPasswordResetsFromTheLink(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "es")
	b := e.browser()
	b.trouble("ana@example.test")
	path := e.recoverPath("ana@example.test")
	token := strings.TrimPrefix(path, "/recover?token=")
	b.get(path).wantStatus(t, http.StatusOK).wantScreen(t, "reset-password").
		wantBody(t, `name="new_password"`, `name="confirm_password"`, `id="submit"`)
	b.post("/recover", url.Values{"token": {token}, "new_password": {"short"}, "confirm_password": {"short"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "reset-password").wantBody(t, `id="new_password-error"`)
	b.post("/recover", url.Values{"token": {token}, "new_password": {resetTo}, "confirm_password": {resetTo}}).
		wantStatus(t, http.StatusSeeOther)
	if n := len(e.sentTo("ana@example.test", accounts.TemplatePasswordResetDone)); n != 1 {
		t.Fatalf("%d confirmation emails", n)
	}
	b.get("/recover/done?action=reset").wantScreen(t, "success")
	b.signIn("ana@example.test", resetTo, "", false).wantStatus(t, http.StatusSeeOther)
	// REC-2: the link was used; a second post changes nothing.
	b.post("/recover", url.Values{"token": {token}, "new_password": {"Other-Pass-77"}, "confirm_password": {"Other-Pass-77"}}).
		wantStatus(t, http.StatusBadRequest).wantScreen(t, "recover").wantBody(t, `id="new-link"`)
}

func TestREC5_DisabledAccountLinkShowsTheDisabledMessage(t *testing.T) {
	e := newEnv(t)
	a := e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.trouble("ana@example.test")
	path := e.recoverPath("ana@example.test")
	a.Status = domain.StatusDisabled
	if err := e.store.UpdateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	b.get(path).wantStatus(t, http.StatusForbidden).wantScreen(t, "disabled").wantBody(t, `href="`+issuer+`/contact"`)
	token := strings.TrimPrefix(path, "/recover?token=")
	b.post("/recover", url.Values{"token": {token}, "new_password": {resetTo}, "confirm_password": {resetTo}}).
		wantStatus(t, http.StatusForbidden).wantScreen(t, "disabled")
	got, err := e.store.AccountByID(context.Background(), a.ID)
	if err != nil || got.Status != domain.StatusDisabled || got.PasswordHash != a.PasswordHash {
		t.Fatalf("a disabled account changed: %+v, %v", got, err)
	}
}

func TestREC6_ScreensSayThereIsNoUsernameRecovery(t *testing.T) {
	e := newEnv(t)
	for _, lang := range []string{"en", "es"} {
		b := e.browser()
		b.header.Set("Accept-Language", lang)
		want := map[string]string{"en": "We cannot look it up for you", "es": "No podemos buscarlo"}[lang]
		b.get("/trouble").wantBody(t, `href="`+issuer+`/signup"`, want)
		b.trouble("ana@example.test").wantBody(t, `href="`+issuer+`/signup"`)
	}
}

func TestRecovery_BadLinksGetAClearPage(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.trouble("ana@example.test")
	path := e.recoverPath("ana@example.test")
	token := strings.TrimPrefix(path, "/recover?token=")
	for name, p := range map[string]string{
		"missing":   "/recover",
		"empty":     "/recover?token=",
		"truncated": "/recover?token=" + token[:20],
		"altered":   "/recover?token=" + token[:len(token)-1] + "x",
		"too long":  "/recover?token=" + strings.Repeat("a", 300),
	} {
		t.Run(name, func(t *testing.T) {
			for _, lang := range []string{"en", "es"} {
				b.header.Set("Accept-Language", lang)
				r := b.get(p).wantStatus(t, http.StatusBadRequest).wantScreen(t, "recover").
					wantBody(t, `id="new-link"`, `<html lang="`+lang+`">`)
				if strings.Contains(r.body, "goroutine") {
					t.Fatal("a stack trace")
				}
			}
			b.header.Del("Accept-Language")
		})
	}
	// A reset form posted without a valid token changes nothing.
	b.post("/recover", url.Values{"new_password": {resetTo}, "confirm_password": {resetTo}}).
		wantStatus(t, http.StatusBadRequest).wantScreen(t, "recover")
	// Expired: 60:00 after it was sent.
	e.clock.Advance(time.Hour)
	b.get(path).wantStatus(t, http.StatusBadRequest).wantScreen(t, "recover")
	b.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
}

// sentTo returns the emails with the template rendered for addr.
func (e *env) sentTo(addr, template string) []composed {
	e.mail.mu.Lock()
	defer e.mail.mu.Unlock()
	var out []composed
	for _, m := range e.mail.sent {
		if m.To == addr && m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

// TestGoldenRecovery renders the recovery screens in English and Spanish
// and compares them with testdata/<name>.<lang>.golden (-update rewrites).
func TestGoldenRecovery(t *testing.T) {
	cases := []struct {
		name   string
		status int
		get    func(e *env, b *browser) *response
	}{
		{"trouble-invalid", 422, func(e *env, b *browser) *response {
			return b.post("/trouble", url.Values{"username": {"not-an-address"}})
		}},
		{"recover-check-email", 200, func(e *env, b *browser) *response { return b.trouble("ana@example.test") }},
		{"recover-contact-support", 200, func(e *env, b *browser) *response {
			return b.post("/trouble/resend", url.Values{"email": {"ana@example.test"}, "resends": {"2"}})
		}},
		{"recover-unlock", 200, func(e *env, b *browser) *response {
			e.lock("ana@example.test")
			b.trouble("ana@example.test")
			return b.get(e.recoverPath("ana@example.test"))
		}},
		{"reset-password", 422, func(e *env, b *browser) *response {
			b.trouble("ana@example.test")
			token := strings.TrimPrefix(e.recoverPath("ana@example.test"), "/recover?token=")
			return b.post("/recover", url.Values{"token": {token}, "new_password": {"short"}, "confirm_password": {"other"}})
		}},
		{"recover-invalid", 400, func(e *env, b *browser) *response { return b.get("/recover?token=nope") }},
		{"recover-disabled", 403, func(e *env, b *browser) *response {
			b.trouble("ana@example.test")
			a, _ := e.acc.Lookup(context.Background(), "ana@example.test")
			a.Status = domain.StatusDisabled
			e.store.UpdateAccount(context.Background(), a)
			return b.get(e.recoverPath("ana@example.test"))
		}},
		{"success-unlock", 200, func(e *env, b *browser) *response { return b.get("/recover/done?action=unlock") }},
		{"success-reset", 200, func(e *env, b *browser) *response { return b.get("/recover/done?action=reset") }},
	}
	for _, lang := range []string{"en", "es"} {
		for _, tc := range cases {
			t.Run(tc.name+"."+lang, func(t *testing.T) {
				e := newEnv(t)
				e.activeAccount("ana@example.test", lang)
				b := e.browser()
				b.header.Set("Accept-Language", lang)
				r := tc.get(e, b).wantStatus(t, tc.status)
				if !strings.Contains(r.body, `<html lang="`+lang+`">`) {
					t.Errorf("page is not in %s", lang)
				}
				got := normalize(b, r.body)
				if i := strings.Index(got, `name="token" value="`); i >= 0 {
					j := strings.Index(got[i+20:], `"`)
					got = got[:i+20] + "TOKEN" + got[i+20+j:]
				}
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
					t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, firstDiff(string(want), got))
				}
			})
		}
	}
}

func TestREC7_ResetSignsOutEveryOtherBrowser(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	signedIn := e.browser()
	signedIn.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
	signedIn.get("/account").wantStatus(t, http.StatusOK).wantScreen(t, "account")

	b := e.browser()
	b.trouble("ana@example.test")
	token := strings.TrimPrefix(e.recoverPath("ana@example.test"), "/recover?token=")
	b.post("/recover", url.Values{"token": {token}, "new_password": {resetTo}, "confirm_password": {resetTo}}).
		wantStatus(t, http.StatusSeeOther)
	if r := signedIn.get("/account"); r.StatusCode != http.StatusFound && r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the other browser still sees its account after the reset: %d %s", r.StatusCode, screenOf(r.body))
	}
}

func TestREC2_ResendVoidsTheOlderLink(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.trouble("ana@example.test")
	first := e.recoverPath("ana@example.test")
	b.post("/trouble/resend", url.Values{"email": {"ana@example.test"}, "resends": {"0"}}).wantScreen(t, "check-email")
	second := e.recoverPath("ana@example.test")
	if first == second {
		t.Fatal("resend sent the same link")
	}
	b.get(first).wantStatus(t, http.StatusBadRequest).wantScreen(t, "recover").wantBody(t, `id="new-link"`)
	b.get(second).wantStatus(t, http.StatusOK).wantScreen(t, "reset-password")
}
