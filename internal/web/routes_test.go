package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestRoutes asks every route once and checks the status and the screen.
func TestRoutes(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.authRequest("ar1", nil, nil)
	signedIn := e.browser()
	signedIn.signIn("ana@example.test", goodPassword, "", false)
	css := e.srv.assets.path("css")
	js := e.srv.assets.path("js")
	tests := []struct {
		method, path string
		b            *browser
		status       int
		screen       string
	}{
		{"GET", "/login", nil, 200, "identify"},
		{"GET", "/login?authRequestID=ar1", nil, 200, "identify"},
		{"POST", "/login", nil, 200, "password"},
		{"POST", "/login/password", nil, 401, "password"},
		{"GET", "/signup", nil, 200, "signup"},
		{"POST", "/signup", nil, 422, "signup"},
		{"POST", "/activate/resend", nil, 200, "check-email"},
		{"GET", "/activate?token=abc", nil, 200, "activate"},
		{"POST", "/activate", nil, 400, "activate"},
		{"GET", "/activated", nil, 200, "activated"},
		{"GET", "/logout", signedIn, 200, "logout"},
		{"GET", "/account", signedIn, 200, "account"},
		{"GET", "/account", nil, 302, ""},
		{"GET", "/trouble", nil, 200, "trouble"},
		{"GET", "/help", nil, 200, "help"},
		{"GET", "/privacy", nil, 200, "privacy"},
		{"GET", "/terms", nil, 200, "terms"},
		{"GET", "/contact", nil, 200, "contact"},
		{"GET", "/lang?l=es&next=/help", nil, 303, ""},
		{"GET", css, nil, 200, ""},
		{"GET", js, nil, 200, ""},
		{"GET", "/static/app.0000000000.css", nil, 404, "error"},
		{"GET", "/nowhere", nil, 404, "error"},
		{"PUT", "/login", nil, 405, "error"},
		{"POST", "/help", nil, 405, "error"},
		{"POST", "/logout", signedIn, 200, "signed-out"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			b := tt.b
			if b == nil {
				b = e.browser()
			}
			var r *response
			switch tt.method {
			case "GET":
				r = b.get(tt.path)
			case "POST":
				r = b.post(tt.path, url.Values{"username": {"ana@example.test"}, "password": {"nope"}})
			default:
				r = b.do(httptest.NewRequest(tt.method, issuer+tt.path, nil))
			}
			r.wantStatus(t, tt.status)
			if tt.screen != "" {
				r.wantScreen(t, tt.screen)
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	page := b.get("/login")
	for kind, ctype := range map[string]string{"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"} {
		path := e.srv.assets.path(kind)
		if !regexp.MustCompile(`^/static/app\.[0-9a-f]{10}\.` + kind + `$`).MatchString(path) {
			t.Fatalf("asset path %q", path)
		}
		if !strings.Contains(page.body, issuer+path) {
			t.Errorf("page does not link %s", path)
		}
		r := b.get(path).wantStatus(t, 200)
		if r.Header.Get("Content-Type") != ctype || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s headers: %v", path, r.Header)
		}
	}
}

// TestUX2_NoInlineScriptOrStyle: pages carry a CSP without 'unsafe-inline'
// and hold no inline script, event handler or style attribute, which that
// CSP would block.
func TestUX2_NoInlineScriptOrStyle(t *testing.T) {
	e := newEnv(t)
	e.authRequest("ar1", nil, nil)
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|<script>|\son[a-z]+=|\sstyle=|<style`)
	b := e.browser()
	for _, r := range []*response{
		b.get("/login?authRequestID=ar1"), b.post("/login", url.Values{"username": {"a@example.test"}}),
		b.get("/signup"), b.get("/activate?token=x"), b.get("/help"), b.get("/nowhere"),
	} {
		csp := r.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("CSP %q", csp)
		}
		if m := inline.FindString(r.body); m != "" {
			t.Errorf("screen %s has inline code: %q", screenOf(r.body), m)
		}
		if !strings.Contains(r.body, `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
			t.Errorf("screen %s has no viewport meta", screenOf(r.body))
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("screen %s may be cached", screenOf(r.body))
		}
	}
}

// TestUX1_LinksUseIssuer: no link or form action is built from the
// request's Host.
func TestUX1_LinksUseIssuer(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	req := httptest.NewRequest(http.MethodGet, "http://evil.example/login", nil)
	req.Header.Set("X-Forwarded-Host", "forwarded.evil.example")
	r := b.do(req).wantStatus(t, 200)
	if strings.Contains(r.body, "evil") {
		t.Fatal("the request's host is in the page")
	}
	for _, m := range regexp.MustCompile(`(?:href|action|src)="([^"]*)"`).FindAllStringSubmatch(r.body, -1) {
		if !strings.HasPrefix(m[1], issuer+"/") && !strings.HasPrefix(m[1], "#") {
			t.Errorf("link %q is not built from the issuer", m[1])
		}
	}
}
