package oidc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// stepBrowser keeps cookies like a browser but follows no redirect, so a
// test sees every step.
func (h *harness) stepBrowser() *http.Client {
	c := h.browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// get fetches rawURL with c and returns the response with its body read.
func (h *harness) get(c *http.Client, rawURL string) (*http.Response, string) {
	h.t.Helper()
	resp, err := c.Get(rawURL)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// start sends c to authURL and returns the id of the auth request the
// provider sent it to the login screen for.
func (h *harness) start(c *http.Client, authURL string) string {
	h.t.Helper()
	resp, body := h.get(c, authURL)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Path != "/login" {
		h.t.Fatalf("authorize: %d to %q, want the login screen: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return loc.Query().Get("authRequestID")
}

// newSession starts a session of the test account, as a password sign-in
// would.
func (h *harness) newSession() *domain.Session {
	h.t.Helper()
	var b [32]byte
	_, _ = rand.Read(b[:])
	now := h.clock.Now()
	s := &domain.Session{ID: digest(hex.EncodeToString(b[:])), AccountID: h.account.ID, CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(h.cfg.SessionMax)}
	h.must(h.store.CreateSession(h.ctx, s))
	return s
}

// wantErrorPage fails unless the response is the error page with the
// status, and no redirect.
func wantErrorPage(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d Location %q, want the %d error page", resp.StatusCode, resp.Header.Get("Location"), status)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `data-screen="error"`) {
		t.Fatalf("not the error page: %s %q", resp.Header.Get("Content-Type"), body)
	}
	for _, leak := range []string{"Parent=", "ErrorType=", "schema"} {
		if strings.Contains(body, leak) {
			t.Errorf("error page shows internal detail %q: %s", leak, body)
		}
	}
}

// The reported attack: a request started in one browser is complete, and
// someone else polls its callback. Without the starting browser's cookie
// no poll gets a code; the starting browser still does.
func TestC1_CallbackGivesTheCodeOnlyToTheStartingBrowser(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	starter := h.stepBrowser()
	id := h.start(starter, r.oauth.AuthCodeURL("st"))
	sess := h.newSession()
	h.must(h.store.CompleteAuthRequest(h.ctx, id, h.account.ID, sess.ID, sess.CreatedAt))
	callback := h.cfg.URL("/authorize/callback?id=" + url.QueryEscape(id))

	other := h.stepBrowser()
	h.start(other, r.oauth.AuthCodeURL("other")) // has a browser cookie of its own
	for i := range 10 {
		for name, c := range map[string]*http.Client{"no cookie": h.stepBrowser(), "another browser": other} {
			resp, body := h.get(c, callback)
			if strings.Contains(resp.Header.Get("Location"), "code=") {
				t.Fatalf("poll %d from %s got a code: %s", i, name, resp.Header.Get("Location"))
			}
			wantErrorPage(t, resp, body, http.StatusBadRequest)
		}
	}
	resp, _ := h.get(starter, callback)
	u, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || u == nil || u.Query().Get("code") == "" || u.Query().Get("state") != "st" {
		t.Fatalf("starting browser: %d %q, want a redirect with the code", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Two callbacks of the starting browser at once mint one code.
func TestC1_ConcurrentCallbacksIssueOneCode(t *testing.T) {
	h := newHarness(t, withFileStore(t.TempDir()+"/ekid.db"))
	r := h.portalRP()
	starter := h.stepBrowser()
	id := h.start(starter, r.oauth.AuthCodeURL("st"))
	sess := h.newSession()
	h.must(h.store.CompleteAuthRequest(h.ctx, id, h.account.ID, sess.ID, sess.CreatedAt))
	callback := h.cfg.URL("/authorize/callback?id=" + url.QueryEscape(id))

	var codes, refused atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			resp, err := starter.Get(callback)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusFound && strings.Contains(resp.Header.Get("Location"), "code="):
				codes.Add(1)
			case resp.StatusCode == http.StatusBadRequest && resp.Header.Get("Location") == "":
				refused.Add(1)
			default:
				t.Errorf("callback: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
	wg.Wait()
	if codes.Load() != 1 || refused.Load() != 9 {
		t.Errorf("codes %d, refused %d; want 1 and 9", codes.Load(), refused.Load())
	}
}

// /authorize gives the browser one secret in an HttpOnly, SameSite=Lax
// cookie, __Host- and Secure on https, keeps it for the next request,
// and binds every request it stores to it.
func TestC1_AuthorizeSetsTheBrowserCookie(t *testing.T) {
	h := newHarness(t)
	for _, issuer := range []string{"https://id.example.test", "http://id.example.test"} {
		t.Run(issuer, func(t *testing.T) {
			cfg := h.cfg
			cfg.Issuer = issuer
			p, err := New(context.Background(), cfg, h.store, h.clock, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			q := url.Values{"client_id": {"portal"}, "redirect_uri": {portalRedirect}, "response_type": {"code"},
				"scope": {"openid"}, "state": {"st"}}
			authorize := func(cookie *http.Cookie) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, issuer+"/authorize?"+q.Encode(), nil)
				if cookie != nil {
					req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
				}
				rec := httptest.NewRecorder()
				p.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusFound || !strings.Contains(rec.Header().Get("Location"), "/login?authRequestID=") {
					t.Fatalf("authorize: %d %q", rec.Code, rec.Header().Get("Location"))
				}
				return rec
			}
			first := authorize(nil)
			cookies := first.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies %v, want one", cookies)
			}
			c := cookies[0]
			secure := strings.HasPrefix(issuer, "https")
			wantName := map[bool]string{true: "__Host-ekid_browser", false: "ekid_browser"}[secure]
			if c.Name != wantName || c.Name != BrowserCookie(cfg) || !c.HttpOnly || c.Secure != secure ||
				c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.MaxAge != 0 || len(c.Value) != 43 {
				t.Errorf("browser cookie = %+v", c)
			}
			second := authorize(c)
			if got := second.Result().Cookies(); len(got) != 0 {
				t.Errorf("second authorize set cookies %v; want the browser's secret kept", got)
			}
			for _, rec := range []*httptest.ResponseRecorder{first, second} {
				loc, _ := url.Parse(rec.Header().Get("Location"))
				ar, err := h.store.AuthRequestByID(h.ctx, loc.Query().Get("authRequestID"))
				h.must(err)
				if !ar.BoundTo(c.Value) || ar.BoundTo("") {
					t.Errorf("auth request %s is not bound to the browser secret", ar.ID)
				}
			}
		})
	}
}
