package web

import (
	"net/http"
	"net/url"
)

// loginIdentify serves POST /login, screen 1 (LOGIN-1, LOGIN-2).
//
// Screen 2 follows for every well-formed address, whether or not it has
// an account: no lookup is made, so the page and its timing are the same
// for an active and an unknown address. The username travels to screen 2
// in a form field, never in the URL. Remember me is applied now: it keeps
// the username alone (LOGIN-4).
func (s *Server) loginIdentify(w http.ResponseWriter, r *http.Request) {
	f := parseIdentifyForm(r)
	var uiLocales []string
	if f.AuthRequestID != "" {
		ar, err := s.authRequest(r, f.AuthRequestID)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "error.auth_request")
			return
		}
		uiLocales = ar.UILocales
	}
	p := s.newPage(w, r, "identify", uiLocales...)
	p.Next = s.loginNext(f.AuthRequestID)
	p.AuthRequestID, p.Username, p.RememberMe = f.AuthRequestID, f.Username, f.RememberMe
	if probs := f.validate(); len(probs) > 0 {
		p.Problems = probs
		s.write(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	s.remember(w, r, f.Username, f.RememberMe)
	p.Screen = "password"
	s.write(w, r, http.StatusOK, p)
}

// loginNext is where the language selector of a sign-in screen returns to.
func (s *Server) loginNext(authRequestID string) string {
	if authRequestID == "" {
		return "/login"
	}
	return "/login?authRequestID=" + url.QueryEscape(authRequestID)
}
