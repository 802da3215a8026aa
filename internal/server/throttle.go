package server

import (
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/ratelimit"
)

// Names of the rate limits: the "limit" label of
// entrykeyid_ratelimited_total and of the log line of a refusal.
const (
	LimitSignIn      = "signin"       // POSTs that check a password, try a link or send email (signInPaths), per address
	LimitAuthorize   = "authorize"    // /authorize, /authorize/callback, per address
	LimitToken       = "token"        // /oauth/token, /oauth/introspect, /oauth/revoke, per address
	LimitTokenClient = "token_client" // the same, per client_id
)

// limitNames lists every limit, for the metric's zero values.
var limitNames = []string{LimitSignIn, LimitAuthorize, LimitToken, LimitTokenClient}

// langCookie is the hosted screens' language cookie (package web), read
// to answer a throttled screen in the language the person chose.
const langCookie = "ekid_lang"

// maxClientIDLen is the longest client id `client add` accepts; a longer
// one names no client and gets no bucket of its own.
const maxClientIDLen = 64

// throttle refuses, with 429 and Retry-After, requests over the
// configured rates (docs/SECURITY.md, "Rate limits"). Buckets live in
// this process: each node of a cluster counts on its own.
type throttle struct {
	signIn, authorize, token, tokenClient *ratelimit.Limiter

	ips     *ratelimit.ClientIPs
	cat     *i18n.Catalog
	metrics *Metrics
	log     *slog.Logger
}

// newThrottle builds the limiters of cfg.RateLimits on clock.
func newThrottle(cfg config.RateLimits, clock domain.Clock, cat *i18n.Catalog, m *Metrics, log *slog.Logger) (*throttle, error) {
	proxies, err := cfg.Proxies()
	if err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	limiter := func(r config.Rate) *ratelimit.Limiter {
		return ratelimit.New(ratelimit.Rate{PerSecond: r.PerSecond(), Burst: r.Burst}, clock, 0)
	}
	return &throttle{
		signIn:      limiter(cfg.SignIn),
		authorize:   limiter(cfg.Authorize),
		token:       limiter(cfg.Token),
		tokenClient: limiter(cfg.TokenClient),
		ips:         ratelimit.NewClientIPs(proxies),
		cat:         cat,
		metrics:     m,
		log:         log,
	}, nil
}

// signInPaths are the hosted screens' POSTs that hash a password or try
// a link secret.
var signInPaths = map[string]bool{
	"/login/password":  true,
	"/signup":          true,
	"/activate":        true,
	"/activate/resend": true,
	// Recovery and the account pages send email, try a link secret or
	// check a password (REC-1, REC-4, PWD-5, PROF-2).
	"/trouble":               true,
	"/trouble/resend":        true,
	"/recover":               true,
	"/account/password":      true,
	"/account/email":         true,
	"/account/email/confirm": true,
}

// wrap applies the limits in front of next.
func (t *throttle) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case r.Method == http.MethodPost && signInPaths[p]:
			if !t.allow(w, r, t.signIn, LimitSignIn, t.ips.Key(r), t.page) {
				return
			}
		case p == oidc.PathAuthorize || p == oidc.PathCallback:
			if !t.allow(w, r, t.authorize, LimitAuthorize, t.ips.Key(r), t.page) {
				return
			}
		case p == oidc.PathToken || p == oidc.PathIntrospect || p == oidc.PathRevoke:
			if !t.allow(w, r, t.token, LimitToken, t.ips.Key(r), t.json) {
				return
			}
			id := clientID(r)
			if id == "" {
				break
			}
			if !t.allow(w, r, t.tokenClient, LimitTokenClient, id, t.json) {
				return
			}
			// A request the client did not authenticate is not the
			// client's: its token goes back, so that a flood with a
			// known client id and wrong secrets cannot starve the client.
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			if sw.status == http.StatusUnauthorized {
				t.tokenClient.Refund(id)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allow takes a token of key from l, or refuses the request with refuse,
// counts and logs the refusal, and reports false.
func (t *throttle) allow(w http.ResponseWriter, r *http.Request, l *ratelimit.Limiter, name, key string,
	refuse func(http.ResponseWriter, *http.Request, int)) bool {
	ok, wait := l.Allow(key)
	if ok {
		return true
	}
	seconds := int(math.Ceil(wait.Seconds()))
	seconds = max(seconds, 1)
	t.metrics.Throttled(name)
	t.log.WarnContext(r.Context(), "request throttled",
		slog.String("request_id", RequestID(r.Context())),
		slog.String("limit", name),
		slog.String("path", r.URL.Path),
		slog.String("client", t.ips.Key(r)),
		slog.Int("retry_after_s", seconds))
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	w.Header().Set("Cache-Control", "no-store")
	refuse(w, r, seconds)
	return false
}

// clientID is the client a token-endpoint request names: the user of
// HTTP Basic authentication (form-encoded, RFC 6749 2.3.1), else the
// client_id form field. It is "" when there is none, or when it is longer
// than any client id can be.
func clientID(r *http.Request) string {
	var id string
	if user, _, ok := r.BasicAuth(); ok {
		id = user
		if u, err := url.QueryUnescape(user); err == nil {
			id = u
		}
	} else if r.Method == http.MethodPost && r.ParseForm() == nil {
		// The form is parsed once: the endpoint reads r.PostForm as
		// parsed here.
		id = r.PostForm.Get("client_id")
	}
	if len(id) > maxClientIDLen {
		return ""
	}
	return id
}

// json answers an OAuth endpoint: 429 with the error body of RFC 6749
// 5.2, code slow_down (the code RFC 8628 gives "poll less often").
func (t *throttle) json(w http.ResponseWriter, _ *http.Request, seconds int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"error":             "slow_down",
		"error_description": fmt.Sprintf("too many requests; retry after %d s", seconds),
	})
}

var throttledPage = template.Must(template.New("429").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body>
<main data-screen="rate-limited">
<h1>{{.Title}}</h1>
<p id="error" role="alert">{{.Body}}</p>
</main>
</body>
</html>
`))

// page answers a hosted screen: a small 429 page in the person's
// language, from the language cookie, else Accept-Language, else English.
func (t *throttle) page(w http.ResponseWriter, r *http.Request, seconds int) {
	lang := i18n.Default
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		lang = c.Value
	} else if l := t.cat.Match(r.Header.Get("Accept-Language")); l != "" {
		lang = l
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "Cookie, Accept-Language")
	w.WriteHeader(http.StatusTooManyRequests)
	err := throttledPage.Execute(w, map[string]string{
		"Lang":  lang,
		"Title": t.cat.T(lang, "ratelimit.title"),
		"Body":  t.cat.T(lang, "ratelimit.body", "seconds", strconv.Itoa(seconds)),
	})
	if err != nil {
		t.log.Warn("429 page", slog.String("error", err.Error()))
	}
}
