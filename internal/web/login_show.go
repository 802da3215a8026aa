package web

import (
	"net/http"
	"strings"
)

// loginShow serves GET /login?authRequestID=X.
//
// With a live session and a request that allows it, the auth request is
// completed at once and the browser goes back to the provider: silent
// single sign-on (SSO-1). prompt=none without one goes back to the portal
// with error=login_required. Otherwise it shows screen 1 (LOGIN-1), or
// screen 2 at once when the remember-me cookie names a username (LOGIN-4:
// the cookie only skips a screen; the password is always asked).
// "change=1" (the password screen's "Change" link) always shows screen 1.
func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("authRequestID")
	var p *page
	if id != "" {
		ar, err := s.authRequest(r, id)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "error.auth_request")
			return
		}
		if s.trySilent(w, r, ar) {
			return
		}
		p = s.newPage(w, r, "identify", ar.UILocales...)
		p.Username = ar.LoginHint
	} else {
		sess, _, err := s.session(r)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		if sess != nil && q.Get("change") == "" {
			http.Redirect(w, r, s.cfg.URL("/account"), http.StatusFound)
			return
		}
		p = s.newPage(w, r, "identify")
	}
	p.AuthRequestID = id
	// A portal's login_hint naming someone else wins over the remembered
	// username: screen 1 shows the hint.
	if u := remembered(r); u != "" && (p.Username == "" || strings.EqualFold(p.Username, u)) {
		p.Username, p.RememberMe = u, true
		if q.Get("change") == "" {
			p.Screen = "password"
		}
	}
	s.write(w, r, http.StatusOK, p)
}
