package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestCSRF_CrossOriginSignInRefused: a sign-in form posted from another
// origin is refused with a 403 page in the user's language, even when it
// carries a valid token (the attacker cannot have it, but the origin check
// stands on its own), and nothing is signed in.
func TestCSRF_CrossOriginSignInRefused(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	for _, tt := range []struct {
		name    string
		headers map[string]string
	}{
		{"Origin and Sec-Fetch-Site", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
		{"Sec-Fetch-Site only", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site is not same-origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://portal.example.test"}},
		{"Origin only", map[string]string{"Origin": "https://evil.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			b.get("/login?lang=es")
			form := url.Values{"username": {"ana@example.test"}, "password": {goodPassword}, csrfField: {b.csrf()}}
			req := httptest.NewRequest(http.MethodPost, issuer+"/login/password", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			r := b.do(req).wantStatus(t, http.StatusForbidden).wantScreen(t, "error")
			r.wantBody(t, `<html lang="es">`, "Este formulario se envió desde otro sitio web")
			if r.setCookie(e.srv.sessionCookie()) != nil {
				t.Fatal("a cross-origin sign-in set a session cookie")
			}
		})
	}
}

func TestCSRF_TokenRequired(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	other := e.browser()
	otherToken := other.csrf()
	for _, tt := range []struct {
		name  string
		setup func(b *browser, form url.Values)
	}{
		{"missing token", func(b *browser, form url.Values) { form.Set(csrfField, "") }},
		{"wrong token", func(b *browser, form url.Values) { form.Set(csrfField, strings.Repeat("A", csrfTokenLen)) }},
		{"another browser's token", func(b *browser, form url.Values) { form.Set(csrfField, otherToken) }},
		{"no cookie", func(b *browser, form url.Values) {
			form.Set(csrfField, b.csrf())
			delete(b.cookies, e.srv.csrfCookie())
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			b.csrf()
			form := url.Values{"username": {"ana@example.test"}, "password": {goodPassword}}
			tt.setup(b, form)
			r := b.post("/login/password", form).wantStatus(t, http.StatusForbidden).wantScreen(t, "error")
			r.wantBody(t, "This form has expired or was not sent by this site.")
			if r.setCookie(e.srv.sessionCookie()) != nil {
				t.Fatal("signed in without a valid token")
			}
		})
	}
}

// TestCSRF_EveryPostRouteGuarded posts to every form route without a
// token and expects the refusal.
func TestCSRF_EveryPostRouteGuarded(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/login", "/login/password", "/signup", "/activate", "/activate/resend", "/logout"} {
		t.Run(path, func(t *testing.T) {
			e.browser().post(path, url.Values{csrfField: {""}}).wantStatus(t, http.StatusForbidden)
		})
	}
}

func TestCSRF_EveryFormCarriesTheToken(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	for _, path := range []string{"/signup", "/activate?token=x", "/logout", "/account"} {
		r := b.get(path).wantStatus(t, 200)
		posts := strings.Count(r.body, `method="post"`)
		tokens := strings.Count(r.body, `name="csrf_token" value="`+b.csrf()+`"`)
		if posts == 0 || posts != tokens {
			t.Errorf("%s: %d POST forms, %d with the token", path, posts, tokens)
		}
	}
}

func TestCSRF_CookieFlags(t *testing.T) {
	e := newEnv(t)
	line := e.browser().get("/login").rawSetCookie("__Host-" + csrfCookieName)
	for _, want := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(line, want) {
			t.Errorf("CSRF cookie lacks %s: %q", want, line)
		}
	}
	if strings.Contains(line, "Domain") || strings.Contains(line, "Max-Age") {
		t.Errorf("CSRF cookie: %q", line)
	}
}

// TestBadInput_OversizedBody: a body over 64 KiB gets a clear 413 page in
// the user's language, and nothing is written.
func TestBadInput_OversizedBody(t *testing.T) {
	e := newEnv(t)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			b := e.browser()
			b.get("/login?lang=" + lang)
			form := signupValues("big@example.test")
			form.Set("first_name", strings.Repeat("x", 70<<10))
			r := b.post("/signup", form).wantStatus(t, http.StatusRequestEntityTooLarge).wantScreen(t, "error")
			want := map[string]string{"en": "larger than we accept (64 KiB)", "es": "supera el tamaño que aceptamos (64 KiB)"}[lang]
			r.wantBody(t, want)
		})
	}
	if n, _ := e.store.CountAccounts(context.Background()); n != 0 {
		t.Fatalf("%d accounts written from oversized forms", n)
	}
}

func TestBadInput_NotAForm(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	req := httptest.NewRequest(http.MethodPost, issuer+"/login", strings.NewReader("%zz=%%"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	b.do(req).wantStatus(t, http.StatusBadRequest).wantScreen(t, "error")
}
