package oidc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// Registered redirect URIs of the test clients. Nothing listens on them:
// the test browser stops at the redirect and reads the code from it.
const (
	publicRedirect       = "http://127.0.0.1:5555/cb"
	portalRedirect       = "https://portal.example/cb"
	portalLogoutRedirect = "https://portal.example/signed-out"
)

// harness is a running provider over an in-memory SQLite store, with a
// test-only /login that signs the test account in directly through the
// store, as the web package will after a password.
type harness struct {
	t       testing.TB
	ctx     context.Context
	store   *sqlstore.DB
	clock   *domain.FixedClock
	cfg     config.Config
	p       *Provider
	srv     *httptest.Server
	account *domain.Account
	secret  string // the confidential client's secret
	log     *slog.Logger

	sessionID string // the test browser's single sign-on session, once signed in
}

type harnessSettings struct {
	cfg    *config.Config
	dbPath string
	log    *slog.Logger
	wrap   func(http.Handler) http.Handler
}

type harnessOption func(*harnessSettings)

func withAlg(alg string) harnessOption {
	return func(s *harnessSettings) { s.cfg.SigningAlg = alg }
}

// withFileStore uses a SQLite file (WAL, several connections) instead of
// the one-connection in-memory database.
func withFileStore(path string) harnessOption {
	return func(s *harnessSettings) { s.dbPath = path }
}

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	set := harnessSettings{cfg: &cfg, dbPath: ":memory:", log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		wrap: func(h http.Handler) http.Handler { return h }}
	for _, o := range opts {
		o(&set)
	}
	store, err := sqlstore.OpenSQLite(ctx, set.dbPath)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, ctx: ctx, store: store, clock: domain.NewFixedClock(time.Now()), log: set.log}
	h.srv = httptest.NewUnstartedServer(nil)
	h.cfg = cfg
	h.cfg.Issuer = "http://" + h.srv.Listener.Addr().String()
	h.seed()
	h.p = h.newProvider()
	mux := http.NewServeMux()
	mux.Handle("/", h.p.Handler())
	mux.HandleFunc("GET /login", h.login)
	h.srv.Config.Handler = set.wrap(mux)
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) newProvider() *Provider {
	h.t.Helper()
	p, err := New(h.ctx, h.cfg, h.store, h.clock, h.log)
	if err != nil {
		h.t.Fatalf("New: %v", err)
	}
	return p
}

func (h *harness) seed() {
	now := h.clock.Now()
	h.account = &domain.Account{
		ID: "0f8fad5b-d9cb-469f-a165-70867728950e", Email: "Maria.Garcia@example.org", EmailKey: "maria.garcia@example.org",
		FirstName: "María", LastName: "García", Language: "es", PasswordHash: "$argon2id$unused",
		Status: domain.StatusActive, CreatedAt: now, UpdatedAt: now, ActivatedAt: &now, PasswordChangedAt: now,
	}
	h.must(h.store.CreateAccount(h.ctx, h.account))
	h.secret = NewClientSecret()
	h.must(h.store.CreateClient(h.ctx, &domain.Client{
		ID: "spa", Name: "Public SPA", Public: true, RedirectURIs: []string{publicRedirect},
		PortalType: domain.PortalMember, CreatedAt: now,
	}))
	h.must(h.store.CreateClient(h.ctx, &domain.Client{
		ID: "portal", Name: "Member portal", SecretDigest: HashSecret(h.secret),
		RedirectURIs: []string{portalRedirect}, PostLogoutRedirectURIs: []string{portalLogoutRedirect},
		PortalType: domain.PortalMember, CreatedAt: now,
	}))
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// login completes the auth request for the test account, starting the
// browser's session on first use and reusing it afterwards (silent SSO).
func (h *harness) login(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	if h.sessionID == "" {
		var b [32]byte
		_, _ = rand.Read(b[:])
		now := h.clock.Now()
		sess := &domain.Session{
			ID: digest(hex.EncodeToString(b[:])), AccountID: h.account.ID, CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(h.cfg.SessionMax),
		}
		if err := h.store.CreateSession(r.Context(), sess); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h.sessionID = sess.ID
	}
	sess, err := h.store.SessionByID(r.Context(), h.sessionID)
	if err == nil {
		err = h.store.CompleteAuthRequest(r.Context(), id, h.account.ID, sess.ID, sess.CreatedAt)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, h.cfg.URL("/authorize/callback?id="+url.QueryEscape(id)), http.StatusFound)
}

// browser follows redirects within the provider and stops at the first
// one that leaves it, as a browser would arrive at the portal.
func (h *harness) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	host := h.srv.Listener.Addr().String()
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != host {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// authorize runs an authorization request in the browser and returns the
// URL it was finally sent to, or fails when it was not a redirect.
func (h *harness) authorize(authURL string) *url.URL {
	h.t.Helper()
	resp, err := h.browser().Get(authURL)
	if err != nil {
		h.t.Fatalf("authorize: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("authorize: status %d, want 302: %s", resp.StatusCode, body)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// rp is a relying party built from go-oidc and x/oauth2 only.
type rp struct {
	h        *harness
	provider *gooidc.Provider
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

func (h *harness) rp(clientID, secret, redirect string, style oauth2.AuthStyle) *rp {
	h.t.Helper()
	provider, err := gooidc.NewProvider(h.ctx, h.cfg.Issuer)
	if err != nil {
		h.t.Fatalf("discovery: %v", err)
	}
	ep := provider.Endpoint()
	ep.AuthStyle = style
	return &rp{
		h: h, provider: provider,
		oauth: oauth2.Config{
			ClientID: clientID, ClientSecret: secret, Endpoint: ep, RedirectURL: redirect,
			Scopes: []string{gooidc.ScopeOpenID, "profile", "email", gooidc.ScopeOfflineAccess},
		},
		verifier: provider.Verifier(&gooidc.Config{ClientID: clientID}),
	}
}

func (h *harness) publicRP() *rp { return h.rp("spa", "", publicRedirect, oauth2.AuthStyleInParams) }
func (h *harness) portalRP() *rp {
	return h.rp("portal", h.secret, portalRedirect, oauth2.AuthStyleInHeader)
}

// signIn is one whole code flow with PKCE: it returns the tokens and the
// verified ID token, after checking state and nonce.
type signedIn struct {
	token   *oauth2.Token
	rawID   string
	idToken *gooidc.IDToken
	code    string
	claims  idClaims
}

type idClaims struct {
	Sub           string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	Locale        string `json:"locale"`
	Nonce         string `json:"nonce"`
	Sid           string `json:"sid"`
	Azp           string `json:"azp"`
}

func (r *rp) signIn() *signedIn {
	r.h.t.Helper()
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	u := r.h.authorize(r.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce)))
	if got := u.Query().Get("state"); got != state {
		r.h.t.Fatalf("state = %q, want %q (redirect %s)", got, state, u)
	}
	code := u.Query().Get("code")
	if code == "" {
		r.h.t.Fatalf("no code in %s", u)
	}
	tok, err := r.oauth.Exchange(r.h.ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		r.h.t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(r.h.ctx, raw)
	if err != nil {
		r.h.t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != nonce {
		r.h.t.Fatalf("nonce = %q, want %q", idt.Nonce, nonce)
	}
	s := &signedIn{token: tok, rawID: raw, idToken: idt, code: code}
	if err := idt.Claims(&s.claims); err != nil {
		r.h.t.Fatal(err)
	}
	return s
}

// refresh runs the refresh grant with the given refresh token.
func (r *rp) refresh(refreshToken string) (*oauth2.Token, error) {
	return r.oauth.TokenSource(r.h.ctx, &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
}

// userinfo calls /userinfo with the access token.
func (r *rp) userinfo(accessToken string) (*gooidc.UserInfo, error) {
	return r.provider.UserInfo(r.h.ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"}))
}

func randomString() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// postForm posts a form to a provider path, with basic auth when user is
// set, and decodes a JSON answer into out when given.
func (h *harness) postForm(path string, form url.Values, user, pass string, out any) int {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.cfg.URL(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		body, _ := io.ReadAll(resp.Body)
		if len(body) > 0 {
			if err := json.Unmarshal(body, out); err != nil {
				h.t.Fatalf("%s: %v: %s", path, err, body)
			}
		}
	}
	return resp.StatusCode
}

// introspect asks about a token as the confidential client.
func (h *harness) introspect(token string) map[string]any {
	h.t.Helper()
	out := map[string]any{}
	if code := h.postForm("/oauth/introspect", url.Values{"token": {token}}, "portal", h.secret, &out); code != http.StatusOK {
		h.t.Fatalf("introspect: status %d: %v", code, out)
	}
	return out
}

// audits returns the audit events of a type.
func (h *harness) audits(typ string) []*domain.AuditEvent {
	h.t.Helper()
	evs, err := h.store.ListAudit(h.ctx, domain.AuditFilter{Type: typ})
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}

// oauth2ClientContext makes x/oauth2 use the transport.
func oauth2ClientContext(h *harness, t http.RoundTripper) context.Context {
	return context.WithValue(h.ctx, oauth2.HTTPClient, &http.Client{Transport: t})
}
