package web

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the rendered screens")

var hashedAsset = regexp.MustCompile(`/static/app\.[0-9a-f]{10}\.(css|js)`)

// normalize replaces what changes from run to run or build to build: the
// CSRF token and the assets' content hashes.
func normalize(b *browser, body string) string {
	body = strings.ReplaceAll(body, b.csrf(), "CSRF-TOKEN")
	return hashedAsset.ReplaceAllString(body, "/static/app.HASH.$1")
}

// TestGolden renders every screen in English and Spanish and compares it
// with testdata/<screen>.<lang>.golden. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		status int
		get    func(e *env, b *browser) *response
	}{
		{"identify", 200, func(e *env, b *browser) *response {
			e.authRequest("ar1", nil, nil)
			return b.get("/login?authRequestID=ar1")
		}},
		{"identify-invalid", 422, func(e *env, b *browser) *response {
			return b.post("/login", url.Values{"username": {"not-an-address"}})
		}},
		{"password", 200, func(e *env, b *browser) *response {
			e.authRequest("ar1", nil, nil)
			return b.post("/login", url.Values{"username": {"ana@example.test"}, "authRequestID": {"ar1"}, "remember_me": {"1"}})
		}},
		{"password-failed", 401, func(e *env, b *browser) *response {
			return b.signIn("ana@example.test", "Wrong-Password-1", "", false)
		}},
		{"password-pending", 403, func(e *env, b *browser) *response {
			// Screen 2 of a pending account: reached under strict
			// enumeration protection, or with screen 1 skipped.
			b.post("/signup", signupValues("pending@example.test"))
			return b.post("/login/password", url.Values{"username": {"pending@example.test"}, "password": {goodPassword}})
		}},
		{"login-pending", 403, func(e *env, b *browser) *response {
			b.post("/signup", signupValues("pending@example.test"))
			return b.post("/login", url.Values{"username": {"pending@example.test"}})
		}},
		{"locked", 403, func(e *env, b *browser) *response {
			for range 5 {
				b.signIn("ana@example.test", "Wrong-Password-1", "", false)
			}
			return b.post("/login", url.Values{"username": {"ana@example.test"}})
		}},
		{"locked-expired", 403, func(e *env, b *browser) *response {
			e.clock.Advance(365 * 24 * time.Hour)
			return b.post("/login", url.Values{"username": {"ana@example.test"}})
		}},
		{"signup", 200, func(e *env, b *browser) *response { return b.get("/signup") }},
		{"signup-errors", 422, func(e *env, b *browser) *response {
			return b.post("/signup", url.Values{"email": {"x"}, "language": {"en"}, "password": {"short"}, "confirm_password": {"short"}})
		}},
		{"check-email", 200, func(e *env, b *browser) *response {
			return b.post("/signup", signupValues("new@example.test"))
		}},
		{"check-email-resent", 200, func(e *env, b *browser) *response {
			return b.post("/activate/resend", url.Values{"email": {"new@example.test"}})
		}},
		{"activate", 200, func(e *env, b *browser) *response { return b.get("/activate?token=the-token") }},
		{"activate-invalid", 400, func(e *env, b *browser) *response { return b.get("/activate") }},
		{"activated", 200, func(e *env, b *browser) *response { return b.get("/activated") }},
		{"account", 200, func(e *env, b *browser) *response {
			b.signIn("ana@example.test", goodPassword, "", false)
			return b.get("/account")
		}},
		{"logout", 200, func(e *env, b *browser) *response {
			b.signIn("ana@example.test", goodPassword, "", false)
			return b.get("/logout?client_id=" + memberClient + "&state=s1&post_logout_redirect_uri=" + url.QueryEscape(memberLogout))
		}},
		{"signed-out", 200, func(e *env, b *browser) *response { return b.post("/logout", url.Values{}) }},
		{"help", 200, func(e *env, b *browser) *response { return b.get("/help") }},
		{"privacy", 200, func(e *env, b *browser) *response { return b.get("/privacy") }},
		{"terms", 200, func(e *env, b *browser) *response { return b.get("/terms") }},
		{"contact", 200, func(e *env, b *browser) *response { return b.get("/contact") }},
		{"trouble", 200, func(e *env, b *browser) *response { return b.get("/trouble") }},
		{"error-404", 404, func(e *env, b *browser) *response { return b.get("/no/such/page") }},
		{"error-413", 413, func(e *env, b *browser) *response {
			e.authRequest("ar1", nil, nil)
			req := httptest.NewRequest(http.MethodPost, issuer+"/login/password", strings.NewReader(oversizedForm(b.csrf(), "ar1")))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			return b.do(req)
		}},
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
					t.Errorf("%s differs from the rendered page (run go test -update and review the diff):\n%s",
						path, firstDiff(string(want), got))
				}
			})
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n- " + w + "\n+ " + g
		}
	}
	return ""
}

// TestGolden_SpanishDiffersFromEnglish guards against a screen left
// untranslated: its Spanish page must not hold the English title.
func TestGolden_SpanishDiffersFromEnglish(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/login", "/signup", "/help", "/privacy", "/terms", "/contact", "/trouble", "/activated"} {
		en := e.browser().get(path + "?lang=en")
		es := e.browser().get(path + "?lang=es")
		title := func(body string) string {
			i, j := strings.Index(body, "<title>"), strings.Index(body, "</title>")
			return body[i:j]
		}
		if en.StatusCode != http.StatusOK || es.StatusCode != http.StatusOK || title(en.body) == title(es.body) {
			t.Errorf("%s: en %q, es %q", path, title(en.body), title(es.body))
		}
	}
}
