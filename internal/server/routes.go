package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/oidc"
)

// ReadyTimeout bounds the database ping of /readyz.
const ReadyTimeout = 2 * time.Second

// routes maps every path to its handler, behind the rate limits. inbox
// is nil unless the development inbox is on. /metrics is here only when
// it has no listener of its own (cfg.MetricsAddr empty).
//
// webPaths are the hosted screens' routes (web.Server.Paths), mounted one
// by one so that metrics count each by name. Any other path also goes to
// the screens, which answer 404, and is counted under the route "/".
func (s *Server) routes(provider, site http.Handler, webPaths []string, inbox http.Handler, limits *throttle) http.Handler {
	mux := http.NewServeMux()
	for _, p := range oidc.Paths() {
		mux.Handle(p, provider)
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", s.metrics.Handler())
	}
	if inbox != nil {
		mux.Handle("/dev/mail", inbox)
		mux.Handle("/dev/mail/", inbox)
	}
	for _, p := range webPaths {
		if p != "/" {
			mux.Handle(p, site)
		}
	}
	mux.Handle("/", site)
	limited := limits.wrap(mux)

	// The route is named before the limits run, so that a refusal is
	// counted under the route it refused.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
			if _, pattern := mux.Handler(r); pattern != "" {
				info.route = pattern
			}
		}
		limited.ServeHTTP(w, r)
	})
}

// middleware wraps h in what every request goes through, outermost
// first: request id, access log and metrics; panic recovery; security
// headers; the body limit.
func (s *Server) middleware(h http.Handler) http.Handler {
	h = limitBody(h)
	h = securityHeaders(strings.HasPrefix(s.cfg.Issuer, "https://"), h)
	h = recoverPanics(s.log, h)
	return observe(s.log, s.metrics, h)
}

// healthz answers 200 while the process serves requests.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 when the database answers a ping within
// ReadyTimeout, and 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "not ready: database does not answer",
			"request_id", RequestID(r.Context()), "error", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}
