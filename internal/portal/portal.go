// Package portal is a small demo portal: a real OpenID Connect relying
// party on its own origin, signing in through EntryKeyID with the
// authorization code flow (confidential client, PKCE, nonce, verified ID
// token). `entrykeyid demo` runs two of them, the Member portal and the
// Provider portal, to show single sign-on and sign-out.
//
// A portal keeps its own sessions in memory, keyed by a random HttpOnly
// cookie; the cookie is named after the portal, as browsers share cookies
// between ports of one host. Every page view of a signed-in person asks
// the identity provider's userinfo endpoint, refreshing the access token
// when it has expired, so a sign-out elsewhere (which revokes the tokens
// of that single sign-on session) ends this portal's session too. Sooner
// still, the provider posts a back-channel logout token when the single
// sign-on session ends, and the portal drops its sessions of it at once.
//
//	GET  /          who is signed in, or a sign-in button
//	GET  /login     starts the code flow (state, PKCE verifier, nonce)
//	GET  /callback  exchanges the code, verifies the ID token, signs in
//	POST /logout    (CSRF token) ends the portal session, then RP-initiated logout at the provider
//	POST /backchannel-logout  the provider's logout token (backchannel.go) drops the sessions it names
package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// Lifetimes of what a portal keeps in memory. The session cookie itself
// lasts until the browser closes, like the identity provider's; the
// session behind it ends after SessionTimeout even if the browser stays
// open.
const (
	LoginTimeout   = 10 * time.Minute // from /login to /callback
	SessionTimeout = 12 * time.Hour
)

// Link names another portal.
type Link struct {
	Title  string            // e.g. "Provider portal"; see Config.Title
	Titles map[string]string // see Config.Titles
	URL    string            // its base URL
}

// Config describes one portal.
type Config struct {
	Kind string // portal type, e.g. "member"; names the cookies
	// Title is the portal's name in English, and in any language Titles
	// lacks. The demo portals' names ("Member portal", "Provider portal")
	// are known in Spanish without Titles.
	Title        string
	Titles       map[string]string // the name by language, e.g. "es": "Portal de miembros"
	BaseURL      string            // the portal's own origin, e.g. http://127.0.0.1:8081
	Issuer       string            // the identity provider
	ClientID     string
	ClientSecret string
	Others       []Link       // other portals to offer
	HTTPClient   *http.Client // for discovery, tokens and userinfo; nil means a default one
	Log          *slog.Logger // nil discards
}

// RedirectURI is where the provider sends the browser back with a code.
func RedirectURI(baseURL string) string { return strings.TrimRight(baseURL, "/") + "/callback" }

// PostLogoutRedirectURI is where the provider sends the browser after
// sign-out.
func PostLogoutRedirectURI(baseURL string) string { return strings.TrimRight(baseURL, "/") + "/" }

// Portal is one running portal.
type Portal struct {
	cfg    Config
	party  rp.RelyingParty
	log    *slog.Logger
	secure bool // cookies carry Secure

	mu       sync.Mutex
	logins   map[string]*login   // by state
	sessions map[string]*session // by cookie value
}

// login is a code flow in progress.
type login struct {
	verifier string // PKCE
	nonce    string
	lang     string
	started  time.Time
}

// session is a signed-in person at this portal.
type session struct {
	subject  string
	name     string
	email    string
	idToken  string // for id_token_hint at sign-out
	sid      string // the provider's session (ID token sid), for back-channel logout
	access   string
	refresh  string
	expiry   time.Time // of the access token
	csrf     string
	lang     string
	signedIn time.Time
}

// New discovers the provider at cfg.Issuer and returns the portal. The
// provider must be answering.
func New(ctx context.Context, cfg Config) (*Portal, error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	party, err := rp.NewRelyingPartyOIDC(ctx, cfg.Issuer, cfg.ClientID, cfg.ClientSecret,
		RedirectURI(cfg.BaseURL),
		[]string{zoidc.ScopeOpenID, zoidc.ScopeProfile, zoidc.ScopeEmail, zoidc.ScopeOfflineAccess},
		rp.WithHTTPClient(cfg.HTTPClient),
		rp.WithSigningAlgsFromDiscovery(),
		rp.WithVerifierOpts(rp.WithNonce(nonceFrom)),
	)
	if err != nil {
		return nil, fmt.Errorf("portal %s: discovery at %s: %w", cfg.Kind, cfg.Issuer, err)
	}
	return &Portal{
		cfg:      cfg,
		party:    party,
		log:      cfg.Log.With(slog.String("portal", cfg.Kind)),
		secure:   strings.HasPrefix(cfg.BaseURL, "https://"),
		logins:   map[string]*login{},
		sessions: map[string]*session{},
	}, nil
}

// Handler serves the portal.
func (p *Portal) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("GET /login", p.startLogin)
	mux.HandleFunc("GET /callback", p.callback)
	mux.HandleFunc("POST /logout", p.logout)
	mux.HandleFunc("POST /backchannel-logout", p.backchannelLogout)
	mux.HandleFunc("GET /lang", p.chooseLanguage)
	mux.HandleFunc("GET /style.css", serveCSS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		mux.ServeHTTP(w, r)
	})
}

// sessionCookie and loginCookie are per-portal names: all portals of the
// demo live on 127.0.0.1, and browsers send a host's cookies to every port.
func (p *Portal) sessionCookie() string { return "portal_" + p.cfg.Kind }
func (p *Portal) loginCookie() string   { return "portal_" + p.cfg.Kind + "_login" }

// currentSession returns the session the request's cookie names, or nil.
func (p *Portal) currentSession(r *http.Request) (string, *session) {
	c, err := r.Cookie(p.sessionCookie())
	if err != nil {
		return "", nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[c.Value]
	if s == nil || time.Since(s.signedIn) > SessionTimeout {
		delete(p.sessions, c.Value)
		return "", nil
	}
	return c.Value, s
}

// endSession forgets the session and clears its cookie.
func (p *Portal) endSession(w http.ResponseWriter, key string) {
	p.mu.Lock()
	delete(p.sessions, key)
	p.mu.Unlock()
	p.setCookie(w, p.sessionCookie(), "", "/", -1)
}

// setCookie sets an HttpOnly, SameSite=Lax cookie (Secure on https).
// maxAge 0 makes a browser-session cookie (no Max-Age or Expires); a
// negative one deletes the cookie.
func (p *Portal) setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
	})
}

// Sessions reports how many people are signed in at the portal.
func (p *Portal) Sessions() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sessions)
}

// randomString returns 256 random bits, base64url.
func randomString() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

type nonceKey struct{}

// nonceFrom gives the ID token verifier the nonce of the login being
// completed.
func nonceFrom(ctx context.Context) string {
	n, _ := ctx.Value(nonceKey{}).(string)
	return n
}

// endSessionURL is the provider's RP-initiated logout URL for idToken.
func (p *Portal) endSessionURL(idToken, lang string) (string, error) {
	endpoint := p.party.GetEndSessionEndpoint()
	if endpoint == "" {
		return "", errors.New("the provider publishes no end_session_endpoint")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("client_id", p.cfg.ClientID)
	q.Set("post_logout_redirect_uri", PostLogoutRedirectURI(p.cfg.BaseURL))
	q.Set("state", randomString())
	if lang != "" {
		q.Set("ui_locales", lang)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
