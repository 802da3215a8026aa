package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// loginIdentify serves POST /login, screen 1 (LOGIN-1, LOGIN-2).
//
// The account's state decides what follows (accounts.IdentifyState,
// stateScreen): an active account, and an unknown or malformed address
// alike, get screen 2, with one lookup each, so the page and its timing
// are the same; other states get their guidance screen. Under
// enumeration_protection = strict no lookup is made and every address
// gets screen 2. The username travels to screen 2 in a form field, never
// in the URL. Remember me is applied now: it keeps
// the username alone (LOGIN-4).
//
// One exception: when this browser has signed in meanwhile (in another
// tab) as the very address typed, the password is not asked again; the
// sign-in goes on with that session, as GET /login would (SSO-1).
func (s *Server) loginIdentify(w http.ResponseWriter, r *http.Request) {
	f := parseIdentifyForm(r)
	var ar *domain.AuthRequest
	var uiLocales []string
	if f.AuthRequestID != "" {
		var err error
		if ar, err = s.authRequest(r, f.AuthRequestID); err != nil {
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
	if s.continueSession(w, r, ar, f.Username) {
		return
	}
	clientID := ""
	if ar != nil {
		clientID = ar.ClientID
	}
	st, reason, err := s.accounts.IdentifyState(r.Context(), f.Username, meta(r, clientID))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if s.stateScreen(w, r, p, st, reason, clientID) {
		return
	}
	p.Screen = "password"
	s.write(w, r, http.StatusOK, p)
}

// continueSession goes on without a password when the browser has a live
// session of the account whose address was typed: it completes the auth
// request (when the request allows a session's sign-in, as trySilent
// decides for GET) or, with no request, goes to /account. It reports
// whether it answered. Another person's address, or no session, gets
// screen 2 as usual; the address is compared with the session's own
// account only, so nothing is learnt about other addresses.
func (s *Server) continueSession(w http.ResponseWriter, r *http.Request, ar *domain.AuthRequest, username string) bool {
	sess, acc, err := s.session(r)
	if err != nil {
		s.failErr(w, r, err)
		return true
	}
	if sess == nil || !sameAddress(acc.Email, username) {
		return false
	}
	if ar == nil {
		http.Redirect(w, r, s.cfg.URL("/account"), http.StatusSeeOther)
		return true
	}
	if slices.Contains(ar.Prompt, "login") || !s.fresh(ar, sess) {
		return false
	}
	s.complete(w, r, ar, sess)
	return true
}

// sameAddress reports whether two email addresses are the same username
// (ACC-1: case and Unicode form do not matter).
func sameAddress(a, b string) bool {
	ka, okA := accounts.NormalizeEmail(a)
	kb, okB := accounts.NormalizeEmail(b)
	return okA && okB && ka == kb
}

// loginNext is where the language selector of a sign-in screen returns to.
func (s *Server) loginNext(authRequestID string) string {
	if authRequestID == "" {
		return "/login"
	}
	return "/login?authRequestID=" + url.QueryEscape(authRequestID)
}
