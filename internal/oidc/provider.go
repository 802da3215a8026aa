package oidc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Paths served by Handler. Every other path answers 404.
const (
	PathDiscovery  = "/.well-known/openid-configuration"
	PathAuthorize  = "/authorize"
	PathCallback   = "/authorize/callback"
	PathToken      = "/oauth/token"
	PathIntrospect = "/oauth/introspect"
	PathUserinfo   = "/userinfo"
	PathRevoke     = "/oauth/revoke"
	PathEndSession = "/end_session"
	PathKeys       = "/keys"
)

// Paths returns every path Handler serves, for the server's router.
func Paths() []string {
	return []string{PathDiscovery, PathAuthorize, PathCallback, PathToken, PathIntrospect,
		PathUserinfo, PathRevoke, PathEndSession, PathKeys}
}

// Provider is the OpenID Connect provider.
type Provider struct {
	cfg     config.Config
	store   domain.Store
	clock   domain.Clock
	log     *slog.Logger
	keys    *keyRing
	storage *storage
	op      *op.Provider
	handler http.Handler

	backchannel *BackchannelWorker // posts back-channel logout tokens (backchannel_worker.go)
}

// New builds the provider for cfg.Issuer. It loads the signing keys from
// the store, creating a cfg.SigningAlg key and a token sealing key when
// there are none, so that every node and every restart shares them.
func New(ctx context.Context, cfg config.Config, store domain.Store, clock domain.Clock, log *slog.Logger) (*Provider, error) {
	issuer := strings.TrimRight(cfg.Issuer, "/")
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("oidc: issuer must be an absolute http(s) URL, got %q", cfg.Issuer)
	}
	if cfg.SigningAlg != AlgRS256 && cfg.SigningAlg != AlgES256 {
		return nil, fmt.Errorf("oidc: signing algorithm must be RS256 or ES256, got %q", cfg.SigningAlg)
	}
	cfg.Issuer = issuer
	if log == nil {
		log = slog.Default()
	}
	routeLibraryLogs()
	p := &Provider{cfg: cfg, store: store, clock: clock, log: log, keys: newKeyRing(store, clock, log)}
	if err := p.keys.ensure(ctx, cfg.SigningAlg); err != nil {
		return nil, err
	}
	p.storage = &storage{store: store, cfg: cfg, clock: clock, log: log, keys: p.keys}
	p.backchannel = newBackchannelWorker(p)

	opCfg := &op.Config{
		DefaultLogoutRedirectURI: cfg.URL("/login"),
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.English, language.Spanish},
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "amr", "at_hash",
			"c_hash", "azp", "sid", "name", "given_name", "family_name", "preferred_username", "locale",
			"email", "email_verified"},
		SupportedScopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess},
	}
	corsOpts := &cors.Options{
		AllowOriginFunc: func(string) bool { return true },
		AllowedHeaders:  []string{"Origin", "Accept", "Accept-Language", "Authorization", "Content-Type", "X-Requested-With"},
		AllowedMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost},
		ExposedHeaders:  []string{"Location", "Content-Length"},
	}
	verifier := keySetVerifier{keys: p.keys}
	opts := []op.Option{
		op.WithCustomEndpoints(op.NewEndpoint(PathAuthorize), op.NewEndpoint(PathToken), op.NewEndpoint(PathUserinfo),
			op.NewEndpoint(PathRevoke), op.NewEndpoint(PathEndSession), op.NewEndpoint(PathKeys)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(PathIntrospect)),
		op.WithCrypto(sealer{keys: p.keys}),
		op.WithIDTokenHintKeySet(verifier),
		op.WithAccessTokenKeySet(verifier),
		op.WithCORSOptions(corsOpts),
		op.WithHttpInterceptors(withRequestState, p.intercept),
	}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	// StaticIssuer: the issuer comes from configuration only, never from
	// the Host or X-Forwarded-* headers of a request.
	p.op, err = op.NewProvider(opCfg, p.storage, op.StaticIssuer(issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidc: provider: %w", err)
	}
	mux := http.NewServeMux()
	for _, path := range Paths() {
		mux.Handle(path, p.op)
	}
	p.handler = mux
	return p, nil
}

// Handler serves the paths listed by Paths, and answers 404 elsewhere.
func (p *Provider) Handler() http.Handler { return p.handler }

// intercept runs inside the library's router, after the issuer is in the
// context. It gives the request our logger (library_log.go), serves
// discovery and end_session itself, checks authorization requests and
// callbacks before the library does (authorize_check.go,
// callback_check.go), binds a new authorization request to the browser
// (browser.go), and refuses token endpoint and userinfo requests the
// library would otherwise half-support.
func (p *Provider) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = withRequestLogger(p.log, w, r)
		switch r.URL.Path {
		case PathDiscovery:
			p.serveDiscovery(w, r)
			return
		case PathEndSession:
			p.serveEndSession(w, r)
			return
		case PathToken, PathIntrospect, PathRevoke:
			if r.Method != http.MethodPost {
				w.Header().Set("Allow", http.MethodPost)
				op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("use POST"), nil)
				return
			}
			if r.URL.Path == PathToken {
				if err := r.ParseForm(); err != nil {
					op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("cannot parse form"), nil)
					return
				}
				switch g := r.PostForm.Get("grant_type"); oidc.GrantType(g) {
				case oidc.GrantTypeCode, oidc.GrantTypeRefreshToken:
				case "":
					op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("grant_type missing"), nil)
					return
				default:
					op.RequestError(w, r, oidc.ErrUnsupportedGrantType().WithDescription("grant_type not supported"), nil)
					return
				}
			}
		case PathUserinfo:
			if !userinfoTokenPlaced(w, r) {
				return
			}
		case PathAuthorize:
			w = &pageOnError{ResponseWriter: w, r: r}
			if !p.checkAuthorize(w, r) {
				return
			}
			secret := ensureBrowserSecret(w, r, p.cfg)
			if st := stateFrom(r.Context()); st != nil {
				st.browserDigest = digest(secret)
			}
		case PathCallback:
			w = &pageOnError{ResponseWriter: w, r: r}
			if !p.checkCallback(w, r) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// userinfoTokenPlaced refuses an access token in the URL query: it is
// accepted only in the Authorization header or, for a POST, in a form
// body (RFC 6750 sections 2.1 and 2.2), never where logs and Referer
// headers keep it. It reports whether the request may go on.
func userinfoTokenPlaced(w http.ResponseWriter, r *http.Request) bool {
	if _, inQuery := r.URL.Query()["access_token"]; !inQuery {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request", `+
		`error_description="send the access token in the Authorization header"`)
	op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription(
		"The access token must be sent in the Authorization header, not in the URL."), nil)
	return false
}

// RotateSigningKey creates a new signing key of alg (RS256 or ES256) and
// retires the older ones, which stay in the JWKS for 24 hours (OPS-5).
// It returns the new key id. Other nodes pick the key up within a minute.
func (p *Provider) RotateSigningKey(ctx context.Context, alg string) (string, error) {
	return p.keys.rotate(ctx, alg)
}

// ReloadKeys rereads the keys from the store now.
func (p *Provider) ReloadKeys(ctx context.Context) error { return p.keys.reload(ctx) }
