package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLOGIN1_IdentifyScreenStableNames(t *testing.T) {
	e := newEnv(t)
	e.authRequest("ar1", nil, nil)
	r := e.browser().get("/login?authRequestID=ar1").wantStatus(t, 200).wantScreen(t, "identify")
	r.wantBody(t,
		`name="username"`, `name="remember_me"`, `id="submit"`, `id="create-account"`,
		`<select id="lang" name="l">`, `name="authRequestID" value="ar1"`,
		`href="`+issuer+`/help"`, `href="`+issuer+`/privacy"`, `href="`+issuer+`/terms"`,
		`href="`+issuer+`/signup?authRequestID=ar1"`, `<label for="username">`, `<html lang="en">`,
	)
	if strings.Contains(r.body, `name="password"`) {
		t.Error("screen 1 asks for the password")
	}
}

func TestLOGIN3_PasswordScreenStableNames(t *testing.T) {
	e := newEnv(t)
	e.authRequest("ar1", nil, nil)
	b := e.browser()
	r := b.post("/login", url.Values{"username": {"ana@example.test"}, "authRequestID": {"ar1"}, "remember_me": {"1"}})
	r.wantStatus(t, 200).wantScreen(t, "password").wantBody(t,
		`name="password" type="password"`, `autocomplete="current-password"`,
		`id="show-password"`, `<label for="show-password">`,
		`name="remember_me" type="checkbox" value="1" checked`,
		`id="trouble" href="`+issuer+`/trouble"`, `id="submit"`,
		`<strong class="username">ana@example.test</strong>`,
		`href="`+issuer+`/login?authRequestID=ar1&amp;change=1"`,
		`name="username" type="email" value="ana@example.test"`,
		`href="`+issuer+`/contact"`, `<select id="lang"`,
	)
	if strings.Contains(r.Header.Get("Location"), "ana@") {
		t.Error("the username went into a URL")
	}
	// The "change" link goes back to screen 1 even with a remembered name.
	b.get("/login?authRequestID=ar1&change=1").wantStatus(t, 200).wantScreen(t, "identify").
		wantBody(t, `value="ana@example.test"`)
}

func TestLOGIN1_MalformedUsernameStaysOnScreen1(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ username, key string }{
		{"", "Email address: Enter your email address."},
		{"not-an-address", "Email address: Enter an email address like name@example.com."},
		{strings.Repeat("a", 250) + "@example.test", "Email address: Use at most 254 characters."},
	} {
		t.Run(tt.username, func(t *testing.T) {
			r := e.browser().post("/login", url.Values{"username": {tt.username}})
			r.wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "identify").
				wantBody(t, `id="error" class="error-summary" role="alert"`, tt.key, `aria-invalid="true"`,
					`aria-describedby="username-hint username-error"`)
		})
	}
}

// TestLOGIN2_UnknownAndActiveSameScreen: screen 2 for an active address and
// for an address without an account are the same bytes, once the username
// and the CSRF token are set aside.
func TestLOGIN2_UnknownAndActiveSameScreen(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("known@example.test", "en")
	e.authRequest("ar1", nil, nil)
	screen2 := func(email string) (string, *response) {
		b := e.browser()
		r := b.post("/login", url.Values{"username": {email}, "authRequestID": {"ar1"}})
		r.wantStatus(t, 200).wantScreen(t, "password")
		body := strings.ReplaceAll(r.body, b.csrf(), "TOKEN")
		return strings.ReplaceAll(body, email, "USER"), r
	}
	known, rk := screen2("known@example.test")
	unknown, ru := screen2("nobody@example.test")
	if known != unknown {
		t.Fatalf("screen 2 differs:\nknown:\n%s\nunknown:\n%s", excerpt(known), excerpt(unknown))
	}
	for _, h := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy"} {
		if rk.Header.Get(h) != ru.Header.Get(h) {
			t.Errorf("header %s differs: %q vs %q", h, rk.Header.Get(h), ru.Header.Get(h))
		}
	}
}

func TestLOGIN3_WrongPasswordAndUnknownUserSameMessage(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	for _, email := range []string{"ana@example.test", "nobody@example.test"} {
		t.Run(email, func(t *testing.T) {
			r := e.browser().signIn(email, "Wrong-Password-1", "", false)
			r.wantStatus(t, http.StatusUnauthorized).wantScreen(t, "password").
				wantBody(t, `id="error" class="error-summary" role="alert"`, "The email address or password is not correct.")
			if r.setCookie(e.srv.sessionCookie()) != nil {
				t.Error("a failed sign-in set a session cookie")
			}
		})
	}
}

func TestLOGIN3_EmptyPasswordAsksForIt(t *testing.T) {
	e := newEnv(t)
	r := e.browser().signIn("ana@example.test", "", "", false)
	r.wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "password").
		wantBody(t, `<a href="#password">Password: Enter your password.</a>`,
			`<p class="field-error" id="password-error">Enter your password.</p>`, `aria-describedby="password-error"`)
}

func TestLOGIN5_LockedAccountShownOnLockedScreen(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "es")
	b := e.browser()
	b.header.Set("Accept-Language", "es")
	for range 4 {
		b.signIn("ana@example.test", "Wrong-Password-1", "", false)
	}
	// The fifth failure locks, and says so with the way out.
	form := url.Values{"username": {"ana@example.test"}, "password": {"Wrong-Password-1"}}
	b.post("/login/password", form).wantStatus(t, http.StatusForbidden).wantScreen(t, "locked").
		wantBody(t, "Tu cuenta se bloqueó por demasiados intentos fallidos de inicio de sesión.", `id="trouble"`)
	form.Set("password", goodPassword)
	r := b.post("/login/password", form)
	r.wantStatus(t, http.StatusForbidden).wantScreen(t, "locked")
	if r.setCookie(e.srv.sessionCookie()) != nil {
		t.Fatal("a locked account got a session")
	}
}

func TestLOGIN2_PendingAccountOffersResend(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.post("/signup", signupValues("pending@example.test")).wantStatus(t, 200).wantScreen(t, "check-email")
	r := b.post("/login/password", url.Values{"username": {"pending@example.test"}, "password": {goodPassword}})
	r.wantStatus(t, http.StatusForbidden).wantScreen(t, "password").
		wantBody(t, "Your account is not active yet.", `id="resend"`, `action="`+issuer+`/activate/resend"`)
	n := len(e.mail.sent)
	b.post("/activate/resend", url.Values{"email": {"pending@example.test"}}).wantStatus(t, 200).
		wantScreen(t, "check-email").wantBody(t, `role="status"`)
	if len(e.mail.sent) != n+1 {
		t.Fatalf("resend sent %d emails, want 1", len(e.mail.sent)-n)
	}
}

func TestLOGIN7_SignInReturnsToPortal(t *testing.T) {
	e := newEnv(t)
	a := e.activeAccount("ana@example.test", "en")
	e.authRequest("ar1", nil, nil)
	r := e.browser().signIn("ana@example.test", goodPassword, "ar1", false).wantStatus(t, http.StatusFound)
	if got, want := r.Header.Get("Location"), issuer+"/authorize/callback?id=ar1"; got != want {
		t.Fatalf("Location %q, want %q", got, want)
	}
	ar, err := e.store.AuthRequestByID(context.Background(), "ar1")
	if err != nil {
		t.Fatal(err)
	}
	if !ar.Done || ar.AccountID != a.ID || ar.SessionID == "" || !ar.AuthTime.Equal(t0) {
		t.Fatalf("auth request not completed: %+v", ar)
	}
}

func TestLOGIN7_SignInWithoutPortalGoesToAccount(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	r := b.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != issuer+"/account" {
		t.Fatalf("Location %q", got)
	}
	b.get("/account").wantStatus(t, 200).wantScreen(t, "account").
		wantBody(t, "Hello, Ana Pérez", "ana@example.test", `action="`+issuer+`/logout"`)
}

// TestLOGIN7_SessionCookieChangesAtSignIn: the session cookie after sign-in
// is a new value, never the one the browser had before (a planted or an
// earlier session's), and each sign-in gives another.
func TestLOGIN7_SessionCookieChangesAtSignIn(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	planted := "planted-by-an-attacker-0123456789abcdefghijklmnop"
	b.cookies[e.srv.sessionCookie()] = &http.Cookie{Name: e.srv.sessionCookie(), Value: planted}

	first := b.signIn("ana@example.test", goodPassword, "", false).setCookie(e.srv.sessionCookie())
	if first == nil || first.Value == "" || first.Value == planted {
		t.Fatalf("session cookie after sign-in: %+v", first)
	}
	// Screen 2 posted again (a tab still showing it) signs in anew.
	second := b.post("/login/password", url.Values{"username": {"ana@example.test"}, "password": {goodPassword}}).
		setCookie(e.srv.sessionCookie())
	if second == nil || second.Value == first.Value {
		t.Fatal("a second sign-in kept the session cookie value")
	}
	ctx := context.Background()
	if _, _, err := e.acc.Session(ctx, planted); err == nil {
		t.Fatal("the planted value is a session")
	}
	if _, _, err := e.acc.Session(ctx, second.Value); err != nil {
		t.Fatalf("the new cookie is not a live session: %v", err)
	}
}

// TestLOGIN7_OtherPersonsSessionEnds: signing in as someone else on a
// browser that held a session ends that session.
func TestLOGIN7_OtherPersonsSessionEnds(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.activeAccount("luis@example.test", "en")
	b := e.browser()
	old := b.signIn("ana@example.test", goodPassword, "", false).setCookie(e.srv.sessionCookie()).Value
	b.signIn("luis@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
	if _, _, err := e.acc.Session(context.Background(), old); err == nil {
		t.Fatal("the previous person's session is still live")
	}
}

// TestLOGIN6_SessionCookieIsBrowserSessionOnly: the session cookie has no
// Max-Age or Expires, so it ends with the browser; it is HttpOnly,
// SameSite=Lax, Secure over https and on path "/".
func TestLOGIN6_SessionCookieIsBrowserSessionOnly(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	r := e.browser().signIn("ana@example.test", goodPassword, "", true)
	line := r.rawSetCookie(e.srv.sessionCookie())
	if line == "" {
		t.Fatal("no session cookie")
	}
	for _, bad := range []string{"Max-Age", "Expires", "Domain"} {
		if strings.Contains(line, bad) {
			t.Errorf("session cookie has %s: %s", bad, line)
		}
	}
	for _, want := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(line, want) {
			t.Errorf("session cookie lacks %s: %s", want, line)
		}
	}
}

// TestLOGIN6_NewBrowserMustSignInAgain: a live session in one browser
// does not sign in another (no cookie, or only the remember-me cookie).
func TestLOGIN6_NewBrowserMustSignInAgain(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.browser().signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
	e.authRequest("ar2", nil, nil)
	fresh := e.browser()
	fresh.get("/login?authRequestID=ar2").wantStatus(t, 200).wantScreen(t, "identify")
	r := fresh.get("/account")
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != issuer+"/login" {
		t.Fatalf("/account without a session: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestLOGIN6_SessionCookieNotSecureOverHTTP(t *testing.T) {
	cfg := newEnv(t).cfg
	cfg.Issuer = "http://127.0.0.1:8080"
	e := newEnvWith(t, cfg)
	e.activeAccount("ana@example.test", "en")
	line := e.browser().signIn("ana@example.test", goodPassword, "", true).rawSetCookie(e.srv.sessionCookie())
	if line == "" || strings.Contains(line, "Secure") {
		t.Fatalf("session cookie over http: %q", line)
	}
	if e.srv.csrfCookie() != csrfCookieName {
		t.Fatalf("CSRF cookie over http is %q", e.srv.csrfCookie())
	}
}

// TestLOGIN4_RememberMeCookieAloneNeverSignsIn: remember me keeps the
// username, only, for 30 days; with that cookie alone a browser skips to
// screen 2 and is never signed in.
func TestLOGIN4_RememberMeCookieAloneNeverSignsIn(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	r := b.signIn("ana@example.test", goodPassword, "", true).wantStatus(t, http.StatusSeeOther)
	rem := b.cookies[rememberCookie]
	if rem == nil {
		t.Fatal("no remember-me cookie")
	}
	if want := int((30 * 24 * time.Hour).Seconds()); rem.MaxAge != want {
		t.Errorf("remember-me Max-Age %d, want %d", rem.MaxAge, want)
	}
	if !rem.HttpOnly || !rem.Secure || rem.SameSite != http.SameSiteLaxMode {
		t.Errorf("remember-me cookie flags: %+v", rem)
	}
	if rem.Value == r.setCookie(e.srv.sessionCookie()).Value {
		t.Fatal("remember-me cookie holds the session")
	}

	// A new browser with only the remember-me cookie.
	other := e.browser()
	other.cookies[rememberCookie] = rem
	e.authRequest("ar1", nil, nil)
	got := other.get("/login?authRequestID=ar1").wantStatus(t, 200).wantScreen(t, "password").
		wantBody(t, `<strong class="username">ana@example.test</strong>`)
	if got.Header.Get("Location") != "" {
		t.Fatal("the remember-me cookie redirected")
	}
	other.get("/account").wantStatus(t, http.StatusFound)
	ar, _ := e.store.AuthRequestByID(context.Background(), "ar1")
	if ar.Done {
		t.Fatal("the remember-me cookie completed an auth request")
	}

	// Unticking remember me forgets the username.
	r = other.post("/login", url.Values{"username": {"ana@example.test"}})
	if c := r.setCookie(rememberCookie); c == nil || c.MaxAge >= 0 {
		t.Fatalf("remember-me cookie not cleared: %+v", c)
	}
}

func TestSSO1_SilentSignInWithExistingSession(t *testing.T) {
	e := newEnv(t)
	a := e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	e.clock.Advance(10 * time.Minute)
	e.authRequest("ar2", nil, nil)
	r := b.get("/login?authRequestID=ar2").wantStatus(t, http.StatusFound)
	if got := r.Header.Get("Location"); got != issuer+"/authorize/callback?id=ar2" {
		t.Fatalf("Location %q", got)
	}
	ar, _ := e.store.AuthRequestByID(context.Background(), "ar2")
	if !ar.Done || ar.AccountID != a.ID || !ar.AuthTime.Equal(t0) {
		t.Fatalf("silent SSO did not complete with the session's sign-in time: %+v", ar)
	}
}

func TestSSO1_PromptAndMaxAge(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	signedIn := e.browser()
	signedIn.signIn("ana@example.test", goodPassword, "", false)
	e.clock.Advance(5 * time.Minute)

	tests := []struct {
		name     string
		b        *browser
		prompt   []string
		maxAge   *int64
		location string // "" means screen 1 is shown
	}{
		{"prompt=login asks again", signedIn, []string{"login"}, nil, ""},
		{"max_age=0 asks again", signedIn, nil, ptr[int64](0), ""},
		{"max_age passed asks again", signedIn, nil, ptr[int64](60), ""},
		{"max_age kept is silent", signedIn, nil, ptr[int64](600), issuer + "/authorize/callback?id=%s"},
		{"prompt=none with session is silent", signedIn, []string{"none"}, nil, issuer + "/authorize/callback?id=%s"},
		{"prompt=none without session", e.browser(), []string{"none"}, nil, memberReturn + "?error=login_required&state=st-%s"},
		{"prompt=none with max_age passed", signedIn, []string{"none"}, ptr[int64](60), memberReturn + "?error=login_required&state=st-%s"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "ar-" + string(rune('a'+i))
			e.authRequest(id, tt.prompt, tt.maxAge)
			r := tt.b.get("/login?authRequestID=" + id)
			if tt.location == "" {
				r.wantStatus(t, 200).wantScreen(t, "identify")
				return
			}
			r.wantStatus(t, http.StatusFound)
			if want := strings.ReplaceAll(tt.location, "%s", id); r.Header.Get("Location") != want {
				t.Fatalf("Location %q, want %q", r.Header.Get("Location"), want)
			}
		})
	}
}

func TestLogin_UnknownOrExpiredAuthRequest(t *testing.T) {
	e := newEnv(t)
	e.authRequest("old", nil, nil)
	e.clock.Advance(e.cfg.AuthRequestTTL)
	b := e.browser()
	b.header.Set("Accept-Language", "es-MX")
	for _, id := range []string{"nope", "old"} {
		b.get("/login?authRequestID="+id).wantStatus(t, http.StatusBadRequest).wantScreen(t, "error").
			wantBody(t, "Esta solicitud de inicio de sesión caducó")
	}
}

func TestLogin_SignedInWithoutPortalGoesToAccount(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	r := b.get("/login").wantStatus(t, http.StatusFound)
	if r.Header.Get("Location") != issuer+"/account" {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
}

func TestLOGIN4_LoginHintOfAnotherPersonShowsScreen1(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.post("/login", url.Values{"username": {"ana@example.test"}, "remember_me": {"1"}}).wantStatus(t, 200)
	ar := e.authRequest("ar1", nil, nil)
	ar.ID, ar.LoginHint = "ar2", "luis@example.test"
	if err := e.store.CreateAuthRequest(context.Background(), ar); err != nil {
		t.Fatal(err)
	}
	b.get("/login?authRequestID=ar1").wantScreen(t, "password")
	b.get("/login?authRequestID=ar2").wantScreen(t, "identify").wantBody(t, `value="luis@example.test"`)
}

// TestLOGIN4_RememberMeOutlivesTheSession: 29 days after signing in with
// remember me, the same browser's session is long gone (SSO-2), yet screen 1
// is skipped with the remembered username, and nobody is signed in.
func TestLOGIN4_RememberMeOutlivesTheSession(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", true).wantStatus(t, http.StatusSeeOther)
	e.clock.Advance(29 * 24 * time.Hour)
	e.authRequest("ar29", nil, nil)
	b.get("/login?authRequestID=ar29").wantStatus(t, 200).wantScreen(t, "password").
		wantBody(t, `<strong class="username">ana@example.test</strong>`)
	b.get("/account").wantStatus(t, http.StatusFound)
	if ar, _ := e.store.AuthRequestByID(context.Background(), "ar29"); ar.Done {
		t.Fatal("an expired session with remember me completed an auth request")
	}
}
