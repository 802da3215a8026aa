package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/password"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// The test harness: a real Server over an in-memory SQLite store, a fixed
// clock, cheap argon2id and a composer that records the emails it is asked
// for. A browser keeps cookies between requests, as a real one would.

const (
	issuer       = "https://id.example.test"
	goodPassword = "Correct-Horse-9"
	memberClient = "member-portal"
	memberReturn = "https://member.example.test/callback"
	memberLogout = "https://member.example.test/signed-out"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testBrowserSecret is the browser cookie of every test browser, and the
// auth requests e.authRequest stores are bound to it, as if the browser
// had started them at /authorize.
const testBrowserSecret = "3q2-7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGho"

// composed is one email the recording composer rendered.
type composed struct {
	To, Lang, Template string
	Data               map[string]any
}

// recordingComposer renders a plain message holding the email's link and
// remembers what it rendered.
type recordingComposer struct {
	mu   sync.Mutex
	sent []composed
}

func (c *recordingComposer) Compose(to, lang, template string, data map[string]any) (*domain.Message, error) {
	c.mu.Lock()
	c.sent = append(c.sent, composed{to, lang, template, data})
	c.mu.Unlock()
	link, _ := data["Link"].(string)
	if link == "" {
		link, _ = data["LoginLink"].(string)
	}
	return &domain.Message{To: to, Subject: template, Text: link, HTML: "<p>" + link + "</p>"}, nil
}

// lastLink returns the Link of the newest email to addr with the template.
func (c *recordingComposer) lastLink(t *testing.T, addr, template string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.sent) - 1; i >= 0; i-- {
		if m := c.sent[i]; m.To == addr && m.Template == template {
			return m.Data["Link"].(string)
		}
	}
	t.Fatalf("no %q email to %s", template, addr)
	return ""
}

type env struct {
	t     *testing.T
	cfg   config.Config
	store *sqlstore.DB
	clock *domain.FixedClock
	mail  *recordingComposer
	acc   *accounts.Service
	srv   *Server
	h     http.Handler
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cfg := config.Default()
	cfg.Issuer = issuer
	cfg.Argon2 = config.Argon2{MemoryKiB: 8192, Iterations: 1, Parallelism: 1}
	return newEnvWith(t, cfg)
}

func newEnvWith(t *testing.T, cfg config.Config) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.DiscardHandler)
	e := &env{t: t, cfg: cfg, store: db, clock: domain.NewFixedClock(t0), mail: &recordingComposer{}}
	e.acc = accounts.New(db, password.NewHasher(cfg.Argon2), e.mail, e.clock, cfg, log)
	e.srv, err = New(Deps{Config: cfg, Accounts: e.acc, Store: db, Clock: e.clock, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	e.h = e.srv.Handler()
	err = db.CreateClient(ctx, &domain.Client{
		ID: memberClient, Name: "Member portal", SecretDigest: strings.Repeat("0", 64),
		RedirectURIs: []string{memberReturn}, PostLogoutRedirectURIs: []string{memberLogout},
		PortalType: domain.PortalMember, CreatedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// activeAccount registers and activates an account through the service.
func (e *env) activeAccount(email, lang string) *domain.Account {
	e.t.Helper()
	ctx := context.Background()
	err := e.acc.Register(ctx, accounts.SignUp{
		Email: email, FirstName: "Ana", LastName: "Pérez", Language: lang,
		Password: goodPassword, Confirm: goodPassword,
	}, accounts.Meta{})
	if err != nil {
		e.t.Fatalf("Register: %v", err)
	}
	u, _ := url.Parse(e.mail.lastLink(e.t, email, "activate"))
	a, err := e.acc.Activate(ctx, u.Query().Get("token"), goodPassword, accounts.Meta{})
	if err != nil {
		e.t.Fatalf("Activate: %v", err)
	}
	return a
}

// authRequest stores an OpenID Connect request of the member portal.
func (e *env) authRequest(id string, prompt []string, maxAge *int64) *domain.AuthRequest {
	e.t.Helper()
	ar := &domain.AuthRequest{
		ID: id, ClientID: memberClient, RedirectURI: memberReturn, Scopes: []string{"openid"},
		State: "st-" + id, Nonce: "n", ResponseType: "code", CodeChallenge: "abc", CodeMethod: "S256",
		Prompt: prompt, MaxAge: maxAge, CreatedAt: e.clock.Now(), BrowserDigest: browserDigest(testBrowserSecret),
	}
	if err := e.store.CreateAuthRequest(context.Background(), ar); err != nil {
		e.t.Fatal(err)
	}
	return ar
}

// browser sends requests to the handler and keeps cookies as a browser
// does.
type browser struct {
	e       *env
	cookies map[string]*http.Cookie
	header  http.Header // added to every request
}

func (e *env) browser() *browser {
	return e.browserWithSecret(testBrowserSecret)
}

// browserWithSecret is a browser whose browser cookie holds secret, or
// none when secret is "".
func (e *env) browserWithSecret(secret string) *browser {
	b := &browser{e: e, cookies: map[string]*http.Cookie{}, header: http.Header{}}
	if secret != "" {
		name := oidc.BrowserCookie(e.cfg)
		b.cookies[name] = &http.Cookie{Name: name, Value: secret}
	}
	return b
}

// browserDigest is the digest an auth request stores of a browser secret.
func browserDigest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) *response {
	b.e.t.Helper()
	for k, vs := range b.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.e.h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return &response{Response: res, body: string(body)}
}

func (b *browser) get(path string) *response {
	b.e.t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, b.e.cfg.URL(path), nil))
}

// post sends a same-origin form, adding the CSRF token from the browser's
// cookie (fetching a page first if it has none) unless form has one.
func (b *browser) post(path string, form url.Values) *response {
	b.e.t.Helper()
	if _, ok := form[csrfField]; !ok {
		form.Set(csrfField, b.csrf())
	}
	req := httptest.NewRequest(http.MethodPost, b.e.cfg.URL(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", issuer)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func (b *browser) csrf() string {
	b.e.t.Helper()
	name := b.e.srv.csrfCookie()
	if b.cookies[name] == nil {
		b.get("/help")
	}
	if b.cookies[name] == nil {
		b.e.t.Fatal("no CSRF cookie after a page")
	}
	return b.cookies[name].Value
}

// signIn runs screen 1 and screen 2 and returns the last response.
func (b *browser) signIn(email, pw, authRequestID string, remember bool) *response {
	b.e.t.Helper()
	form := url.Values{"username": {email}, "authRequestID": {authRequestID}}
	if remember {
		form.Set("remember_me", "1")
	}
	if r := b.post("/login", form); r.StatusCode != http.StatusOK || screenOf(r.body) != "password" {
		b.e.t.Fatalf("screen 1: %d %s", r.StatusCode, screenOf(r.body))
	}
	form.Del(csrfField)
	form.Set("password", pw)
	return b.post("/login/password", form)
}

var screenRE = regexp.MustCompile(`<main id="main" data-screen="([a-z-]+)"`)

// screenOf returns the data-screen of the page's <main>.
func screenOf(body string) string {
	m := screenRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// wantStatus fails when the response's status is not want.
func (r *response) wantStatus(t *testing.T, want int) *response {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("status %d, want %d; screen %q\n%s", r.StatusCode, want, screenOf(r.body), excerpt(r.body))
	}
	return r
}

// wantScreen fails when the page is not the screen.
func (r *response) wantScreen(t *testing.T, screen string) *response {
	t.Helper()
	if got := screenOf(r.body); got != screen {
		t.Fatalf("screen %q, want %q (status %d)\n%s", got, screen, r.StatusCode, excerpt(r.body))
	}
	return r
}

// wantBody fails unless the body holds every string.
func (r *response) wantBody(t *testing.T, subs ...string) *response {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.body, s) {
			t.Errorf("body lacks %q\n%s", s, excerpt(r.body))
		}
	}
	return r
}

func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 1500 {
		body = body[:1500] + "…"
	}
	return body
}

// setCookie returns the Set-Cookie of the named cookie in the response.
func (r *response) setCookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// rawSetCookie returns the Set-Cookie header line of the named cookie.
func (r *response) rawSetCookie(name string) string {
	for _, line := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(line, name+"=") {
			return line
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

func TestNewRefusesMissingDeps(t *testing.T) {
	e := newEnv(t)
	log := slog.New(slog.DiscardHandler)
	for name, d := range map[string]Deps{
		"accounts": {Config: e.cfg, Store: e.store, Clock: e.clock, Log: log},
		"store":    {Config: e.cfg, Accounts: e.acc, Clock: e.clock, Log: log},
		"clock":    {Config: e.cfg, Accounts: e.acc, Store: e.store, Log: log},
		"log":      {Config: e.cfg, Accounts: e.acc, Store: e.store, Clock: e.clock},
		"issuer":   {Config: config.Config{Issuer: "not a url"}, Accounts: e.acc, Store: e.store, Clock: e.clock, Log: log},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(d); err == nil {
				t.Fatal("New accepted incomplete Deps")
			}
		})
	}
}
