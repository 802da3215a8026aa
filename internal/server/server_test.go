package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
)

func TestOPS3_Healthz(t *testing.T) {
	p := startIdP(t, nil)
	resp, body := p.get(t, "/healthz")
	if resp.StatusCode != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz = %d %q, want 200 ok", resp.StatusCode, body)
	}
}

func TestOPS3_ReadyzFollowsTheDatabase(t *testing.T) {
	p := startIdP(t, nil)
	if resp, body := p.get(t, "/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz with the database up = %d %q, want 200", resp.StatusCode, body)
	}
	p.store.Close()
	if resp, _ := p.get(t, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz after the store closed = %d, want 503", resp.StatusCode)
	}
	if resp, _ := p.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz after the store closed = %d, want 200 (the process is up)", resp.StatusCode)
	}
}

func TestOPS3_MetricsCountRequestsByRoute(t *testing.T) {
	p := startIdP(t, nil)
	p.get(t, "/healthz")
	p.get(t, "/login")
	p.get(t, "/no/such/page")
	resp, body := p.get(t, "/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics = %d", resp.StatusCode)
	}
	for _, want := range []string{
		`entrykeyid_http_requests_total{code="200",route="GET /healthz"} 1`,
		`entrykeyid_http_requests_total{code="200",route="/login"} 1`,
		`entrykeyid_http_requests_total{code="404",route="/"} 1`,
		`entrykeyid_http_request_duration_seconds_count{route="GET /healthz"} 1`,
		`entrykeyid_signins_total{outcome="success"} 0`,
		`entrykeyid_signins_total{outcome="failure"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s; it has:\n%s", want, grepLines(body, "entrykeyid_"))
		}
	}
}

func TestOPS3_AccessLogHasNoQueryString(t *testing.T) {
	p := startIdP(t, nil)
	const secret = "s3cr3t-link-token-value"
	resp, _ := p.get(t, "/activate?token="+secret)
	id := resp.Header.Get("X-Request-Id")
	if len(id) != 16 {
		t.Fatalf("X-Request-Id = %q, want 16 hex digits", id)
	}
	logs := p.log.String()
	if strings.Contains(logs, secret) {
		t.Fatalf("the log holds the query string's secret:\n%s", logs)
	}
	var line map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "http request" && m["request_id"] == id {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no JSON access log line with request_id %s:\n%s", id, logs)
	}
	for k, want := range map[string]any{"method": "GET", "path": "/activate", "status": float64(resp.StatusCode), "route": "/activate"} {
		if line[k] != want {
			t.Errorf("access log %s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["duration_ms"]; !ok {
		t.Errorf("access log has no duration_ms: %v", line)
	}
}

func TestSecurityHeaders(t *testing.T) {
	for _, tc := range []struct {
		name  string
		https bool
	}{{"http issuer", false}, {"https issuer", true}} {
		t.Run(tc.name, func(t *testing.T) {
			p := startIdP(t, func(c *config.Config) {
				if tc.https {
					c.Issuer = "https://id.example.org"
				}
			})
			// /healthz carries the server's own policy; a hosted screen may
			// set a stricter one, but never drops framing protection or
			// allows inline script.
			for _, path := range []string{"/healthz", "/login"} {
				resp, err := http.Get(p.ts.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				csp := resp.Header.Get("Content-Security-Policy")
				if path == "/healthz" && !strings.Contains(csp, "default-src 'self'") {
					t.Errorf("%s: Content-Security-Policy %q lacks default-src 'self'", path, csp)
				}
				if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
					t.Errorf("%s: Content-Security-Policy %q must forbid framing and inline script", path, csp)
				}
			}
			resp, err := http.Get(p.ts.URL + "/login")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := h.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy = %q", got)
			}
			if hsts := h.Get("Strict-Transport-Security"); (hsts != "") != tc.https {
				t.Errorf("Strict-Transport-Security = %q with an %s", hsts, tc.name)
			}
		})
	}
}

func TestBodyLimit64KiB(t *testing.T) {
	p := startIdP(t, nil)
	for _, path := range []string{"/login", "/oauth/token", "/signup"} {
		body := strings.NewReader("username=" + strings.Repeat("a", 65<<10))
		resp, err := http.Post(p.url(path), "application/x-www-form-urlencoded", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with 65 KiB = %d, want 413", path, resp.StatusCode)
		}
	}
}

func TestDevInboxOnlyInDevMode(t *testing.T) {
	for _, dev := range []bool{true, false} {
		p := startIdP(t, func(c *config.Config) { c.Dev = dev })
		resp, _ := p.get(t, "/dev/mail")
		if (resp.StatusCode == http.StatusOK) != dev {
			t.Errorf("dev=%v: /dev/mail = %d", dev, resp.StatusCode)
		}
	}
}

func TestOPS3_MetricsOnTheirOwnListenerOnly(t *testing.T) {
	p := startIdP(t, func(c *config.Config) { c.MetricsAddr = "127.0.0.1:9464" })
	if resp, _ := p.get(t, "/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("main listener /metrics = %d, want 404 when metrics have a listener of their own", resp.StatusCode)
	}
	ts := httptest.NewServer(p.srv.MetricsHandler())
	defer ts.Close()
	for path, want := range map[string]int{"/metrics": http.StatusOK, "/login": http.StatusNotFound, "/healthz": http.StatusNotFound} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("metrics listener %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestFileMailIsFromTheConfiguredAddress(t *testing.T) {
	p := startIdP(t, func(c *config.Config) { c.MailFrom = "Example IdP <idp-mail@example.org>" })
	err := p.srv.Accounts().Register(context.Background(), accounts.SignUp{
		Email: "from.test@example.org", FirstName: "From", LastName: "Test", Language: "en",
		Password: "Correct-Horse-9", Confirm: "Correct-Horse-9",
	}, accounts.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(p.cfg.DataDir, "mail")
	waitForMailFile(t, dir)
	names, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	raw, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "idp-mail@example.org") {
		t.Errorf("the .eml is not from the configured address:\n%s", raw)
	}
}
