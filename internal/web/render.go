package web

import (
	"net/http"
	"strconv"
)

// contentSecurityPolicy allows scripts, styles and images from this
// origin only: no inline script or style. It sets no form-action, because
// browsers apply form-action to the redirects that follow a sign-in or
// sign-out POST, which end at the portal's origin.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"

// newPage starts the data of a screen: its language (uiLocales are the
// portal's ui_locales, if any), the CSRF token for its forms and where the
// language selector returns to.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, screen string, uiLocales ...string) *page {
	p := &page{s: s, Screen: screen, Lang: s.language(w, r, uiLocales), CSRF: s.csrfToken(w, r)}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		p.Next = currentPath(r)
	} else {
		p.Next = "/login"
	}
	return p
}

// write renders the page with the status. Pages are never cached: they
// carry form tokens and who is signed in.
func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, p *page) {
	body, err := s.views.render(p.Screen, p)
	if err != nil {
		s.log.ErrorContext(r.Context(), "web: render failed", "screen", p.Screen, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", p.Lang)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Add("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// page returns a handler that shows a screen with no data of its own
// (help, privacy, terms, contact, trouble, activated).
func (s *Server) page(screen string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.write(w, r, http.StatusOK, s.newPage(w, r, screen))
	}
}
