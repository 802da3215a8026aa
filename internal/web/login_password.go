package web

import (
	"errors"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// loginPassword serves POST /login/password, screen 2 (LOGIN-3).
//
// A refused password re-shows screen 2 with the reason in the error
// summary: wrong password or unknown address alike ("login.failed"), and
// a pending account with its resend offer. Locked, expired, dormant,
// disabled and recovery-required accounts get their LOGIN-2 screen
// (stateScreen): under enumeration_protection = strict this is the first
// time the state shows, after a correct password. On success a new session starts with a new cookie
// value, never one the browser sent (LOGIN-7), set as a browser-session
// cookie (LOGIN-6); the auth request is completed and the browser goes
// back to the provider, or to /account when no portal asked.
func (s *Server) loginPassword(w http.ResponseWriter, r *http.Request) {
	f := parsePasswordForm(r)
	var ar *domain.AuthRequest
	if f.AuthRequestID != "" {
		var err error
		if ar, err = s.authRequest(r, f.AuthRequestID); err != nil {
			s.fail(w, r, http.StatusBadRequest, "error.auth_request")
			return
		}
	}
	var uiLocales []string
	clientID := ""
	if ar != nil {
		uiLocales, clientID = ar.UILocales, ar.ClientID
	}
	p := s.newPage(w, r, "password", uiLocales...)
	p.Next = s.loginNext(f.AuthRequestID)
	p.AuthRequestID, p.Username, p.RememberMe = f.AuthRequestID, f.Username, f.RememberMe

	if probs := checkUsername(f.Username); len(probs) > 0 {
		p.Screen, p.Problems = "identify", probs
		s.write(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	s.remember(w, r, f.Username, f.RememberMe)
	if f.Password == "" {
		p.Problems = []problem{{"password", "field.required"}}
		s.write(w, r, http.StatusUnprocessableEntity, p)
		return
	}

	m := meta(r, clientID)
	acc, err := s.accounts.Authenticate(r.Context(), f.Username, f.Password, m)
	if err != nil {
		de, ok := errors.AsType[*domain.Error](err)
		if !ok || de.Key == "" || !s.cat.Has(de.Key) || statusFor(de.Code) >= 500 {
			s.failErr(w, r, err)
			return
		}
		if st, reason, ok := stateOfKey(de.Key); ok && s.stateScreen(w, r, p, st, reason, clientID) {
			return
		}
		p.Error, p.Pending = de.Key, de.Key == "login.pending"
		s.write(w, r, statusFor(de.Code), p)
		return
	}

	// A browser still holding another person's session (a shared
	// computer) has that session ended, not merely forgotten.
	if old, oldAcc, err := s.session(r); err == nil && old != nil && oldAcc.ID != acc.ID {
		if err := s.accounts.EndSession(r.Context(), old.ID, m); err != nil && !domain.IsNotFound(err) {
			s.log.WarnContext(r.Context(), "web: ending the previous session failed", "err", err)
		}
	}
	value, sess, err := s.accounts.StartSession(r.Context(), acc.ID, m)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.setSession(w, value)
	if ar != nil {
		s.complete(w, r, ar, sess)
		return
	}
	http.Redirect(w, r, s.cfg.URL("/account"), http.StatusSeeOther)
}
