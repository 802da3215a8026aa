package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
)

// send makes one request to the identity provider, from the address xff
// names when it is not "" (the test server trusts 127.0.0.1 as a proxy
// only where a test says so).
func (p *idp) send(t *testing.T, method, path, xff string, form url.Values, edit func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, p.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// registerClient registers a confidential client and returns its secret.
func registerClient(t *testing.T, p *idp, id string) string {
	t.Helper()
	secret := oidc.NewClientSecret()
	err := p.store.CreateClient(context.Background(), &domain.Client{
		ID: id, Name: id, SecretDigest: oidc.HashSecret(secret),
		RedirectURIs: []string{"http://127.0.0.1:9/cb"}, PortalType: domain.PortalMember, CreatedAt: time.Now().UTC(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

var throttleT0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestRateLimitSignInScreensTenAMinutePerAddress(t *testing.T) {
	clock := domain.NewFixedClock(throttleT0)
	p := startIdPClock(t, clock, nil)
	// Every screen that hashes a password or tries a link secret shares
	// the address's bucket of 10.
	paths := []string{"/login/password", "/signup", "/activate", "/activate/resend"}
	for i := range 10 {
		resp, _ := p.send(t, http.MethodPost, paths[i%len(paths)], "", url.Values{"x": {"1"}}, nil)
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("request %d of 10 refused", i+1)
		}
	}
	// GETs of the screens are not limited.
	if resp, _ := p.send(t, http.MethodGet, "/login", "", nil, nil); resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("GET /login was limited")
	}
	for _, tc := range []struct {
		name, path string
		edit       func(*http.Request)
		lang       string
	}{
		{"English by default", "/login/password", nil, "en"},
		{"Accept-Language", "/signup", func(r *http.Request) { r.Header.Set("Accept-Language", "es-MX,es;q=0.9") }, "es"},
		{"the language cookie beats Accept-Language", "/activate/resend", func(r *http.Request) {
			r.Header.Set("Accept-Language", "en")
			r.AddCookie(&http.Cookie{Name: "ekid_lang", Value: "es"})
		}, "es"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := p.send(t, http.MethodPost, tc.path, "", url.Values{"x": {"1"}}, tc.edit)
			if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "6" {
				t.Fatalf("11th POST %s = %d Retry-After %q, want 429 and 6 (s)", tc.path, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			want := map[string]string{"en": "Too many requests", "es": "Demasiadas solicitudes"}[tc.lang]
			if !strings.Contains(body, `<html lang="`+tc.lang+`"`) || !strings.Contains(body, want) ||
				!strings.Contains(body, `data-screen="rate-limited"`) || !strings.Contains(body, " 6 ") {
				t.Errorf("429 page is not the %s one:\n%s", tc.lang, body)
			}
		})
	}
	// One token is back after 6 s: one request passes, the next does not.
	clock.Set(throttleT0.Add(6 * time.Second))
	if resp, _ := p.send(t, http.MethodPost, "/signup", "", url.Values{"x": {"1"}}, nil); resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("refused after the refill")
	}
	if resp, _ := p.send(t, http.MethodPost, "/signup", "", url.Values{"x": {"1"}}, nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second request after one refill = %d, want 429", resp.StatusCode)
	}

	_, metrics := p.get(t, "/metrics")
	for _, want := range []string{
		`entrykeyid_ratelimited_total{limit="signin"} 4`,
		`entrykeyid_ratelimited_total{limit="token"} 0`,
		`entrykeyid_http_requests_total{code="429",route="/signup"} 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(metrics, "429"))
		}
	}
	if !strings.Contains(p.log.String(), `"msg":"request throttled","request_id"`) {
		t.Errorf("no log line for a throttled request")
	}
}

func TestRateLimitForwardedForOnlyFromTrustedProxies(t *testing.T) {
	post := func(p *idp, xff string) int {
		resp, _ := p.send(t, http.MethodPost, "/login/password", xff, url.Values{"x": {"1"}}, nil)
		return resp.StatusCode
	}
	// Not trusted: every X-Forwarded-For is the same client, 127.0.0.1.
	p := startIdPClock(t, domain.NewFixedClock(throttleT0), nil)
	for i := range 10 {
		post(p, fmt.Sprintf("198.51.100.%d", i))
	}
	if got := post(p, "198.51.100.99"); got != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For escaped the limit: %d", got)
	}

	// Trusted: each forwarded address has its own bucket.
	p = startIdPClock(t, domain.NewFixedClock(throttleT0), func(c *config.Config) {
		c.RateLimits.TrustedProxies = "127.0.0.1/32"
	})
	for range 10 {
		post(p, "198.51.100.1")
	}
	if got := post(p, "198.51.100.1"); got != http.StatusTooManyRequests {
		t.Fatalf("11th from one forwarded client = %d, want 429", got)
	}
	if got := post(p, "198.51.100.2"); got == http.StatusTooManyRequests {
		t.Fatal("another forwarded client shares the bucket")
	}
}

func TestRateLimitAuthorizeTwentyASecondBurstForty(t *testing.T) {
	p := startIdPClock(t, domain.NewFixedClock(throttleT0), nil)
	for i := range 40 {
		if resp, _ := p.send(t, http.MethodGet, "/authorize?client_id=none", "", nil, nil); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("request %d of the burst of 40 refused", i+1)
		}
	}
	resp, body := p.send(t, http.MethodGet, "/authorize/callback?id=x", "", nil, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
		!strings.Contains(body, `data-screen="rate-limited"`) {
		t.Fatalf("41st = %d Retry-After %q, want 429 and 1:\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestRateLimitTokenEndpointsPerAddressAndPerClient(t *testing.T) {
	clock := domain.NewFixedClock(throttleT0)
	p := startIdPClock(t, clock, func(c *config.Config) {
		c.RateLimits.Token = config.Rate{Count: 5, Per: time.Second, Burst: 5}
		c.RateLimits.TokenClient = config.Rate{Count: 3, Per: time.Second, Burst: 3}
		c.RateLimits.TrustedProxies = "127.0.0.1"
	})
	secret := registerClient(t, p, "limited-rp")
	form := url.Values{"token": {"nothing"}}
	basic := func(id, pw string) func(*http.Request) {
		return func(r *http.Request) { r.SetBasicAuth(id, pw) }
	}

	// Per address: 5, from one address whatever the client.
	for i := range 5 {
		resp, _ := p.send(t, http.MethodPost, "/oauth/introspect", "203.0.113.1", form, basic(fmt.Sprint("c", i), "x"))
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("request %d of 5 refused", i+1)
		}
	}
	resp, body := p.send(t, http.MethodPost, "/oauth/token", "203.0.113.1", url.Values{"grant_type": {"refresh_token"}}, nil)
	var e struct{ Error, ErrorDescription string }
	_ = json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != http.StatusTooManyRequests || e.Error != "slow_down" || resp.Header.Get("Retry-After") != "1" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("6th from one address = %d %q (%s), want 429 slow_down JSON with Retry-After 1", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}

	// Wrong secrets for a real client id, from many addresses, do not use
	// up the client's tokens (401 gives them back).
	for i := range 6 {
		resp, _ := p.send(t, http.MethodPost, "/oauth/introspect", fmt.Sprintf("203.0.113.%d", 10+i), form, basic("limited-rp", "wrong"))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong secret %d = %d, want 401", i+1, resp.StatusCode)
		}
	}
	// Per client: 3 authenticated calls, from any addresses; the client
	// id from the form counts the same as from Basic authentication.
	for i := range 3 {
		resp, _ := p.send(t, http.MethodPost, "/oauth/introspect", fmt.Sprintf("203.0.113.%d", 30+i), form, basic("limited-rp", secret))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("authenticated introspection %d = %d, want 200", i+1, resp.StatusCode)
		}
	}
	viaForm := url.Values{"token": {"nothing"}, "client_id": {"limited-rp"}, "client_secret": {secret}}
	resp, body = p.send(t, http.MethodPost, "/oauth/revoke", "203.0.113.40", viaForm, nil)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "slow_down") {
		t.Fatalf("4th call of the client = %d %s, want 429 slow_down", resp.StatusCode, body)
	}
	_, metrics := p.get(t, "/metrics")
	for _, want := range []string{`entrykeyid_ratelimited_total{limit="token"} 1`, `entrykeyid_ratelimited_total{limit="token_client"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestRateLimitsOffLetEverythingThrough(t *testing.T) {
	p := startIdPClock(t, domain.NewFixedClock(throttleT0), func(c *config.Config) { c.RateLimits = config.RateLimits{} })
	for range 30 {
		if resp, _ := p.send(t, http.MethodPost, "/login/password", "", url.Values{"x": {"1"}}, nil); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatal("limited with every rate off")
		}
	}
}

// Recovery and the account pages send email, try link secrets or check a
// password: they share the sign-in bucket, and metrics name their routes.
func TestRateLimitRecoveryAndAccountPOSTs(t *testing.T) {
	p := startIdPClock(t, domain.NewFixedClock(throttleT0), nil)
	paths := []string{"/trouble", "/trouble/resend", "/recover", "/account/password", "/account/email", "/account/email/confirm"}
	for i := range 10 {
		if resp, _ := p.send(t, http.MethodPost, paths[i%len(paths)], "", url.Values{"x": {"1"}}, nil); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("request %d of 10 refused", i+1)
		}
	}
	for _, path := range paths {
		if resp, _ := p.send(t, http.MethodPost, path, "", url.Values{"x": {"1"}}, nil); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("POST %s over the limit = %d, want 429", path, resp.StatusCode)
		}
	}
	_, metrics := p.get(t, "/metrics")
	for _, want := range []string{`route="/trouble/resend"`, `route="/recover"`, `route="/account/email/confirm"`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics do not name %s", want)
		}
	}
}
