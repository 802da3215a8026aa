package web

import (
	"errors"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// recoverShow serves GET /recover?token= (the link of the recovery
// email). It never uses the link (mail scanners follow links): it shows
// what the POST will do (REC-4): for a locked account a button that
// unlocks it, for any other the Reset Password form. A link that is not
// usable shows the invalid-link screen with the way to a new link; a
// disabled account's link shows the disabled-account screen (REC-5).
func (s *Server) recoverShow(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > maxTokenLen {
		s.recoverFailed(w, r, nil)
		return
	}
	rec, err := s.accounts.OpenRecovery(r.Context(), token)
	if err != nil {
		s.recoverFailed(w, r, err)
		return
	}
	s.recoverForm(w, r, token, rec, http.StatusOK, nil)
}

// recoverSubmit serves POST /recover: accounts.CompleteRecovery unlocks or
// resets (REC-4), then the success screen follows (303 to
// /recover/done). Problems with the new password re-show the form for the
// same link; an unusable link shows the invalid-link or disabled screen
// and changes nothing.
func (s *Server) recoverSubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PostForm.Get("token")
	if token == "" || len(token) > maxTokenLen {
		s.recoverFailed(w, r, nil)
		return
	}
	rec, err := s.accounts.CompleteRecovery(r.Context(), token,
		r.PostForm.Get(accounts.FieldResetPassword), r.PostForm.Get(accounts.FieldConfirm), meta(r, ""))
	if fe, ok := errors.AsType[accounts.FieldErrors](err); ok {
		open, oerr := s.accounts.OpenRecovery(r.Context(), token)
		if oerr != nil {
			s.recoverFailed(w, r, oerr)
			return
		}
		var probs []problem
		for _, name := range []string{accounts.FieldResetPassword, accounts.FieldConfirm} {
			if key, ok := fe[name]; ok {
				probs = append(probs, problem{name, key})
			}
		}
		s.recoverForm(w, r, token, open, http.StatusUnprocessableEntity, probs)
		return
	}
	if err != nil {
		s.recoverFailed(w, r, err)
		return
	}
	if cookieValue(r, langCookie) == "" && i18n.Supported(rec.Account.Language) {
		s.setCookie(w, langCookie, rec.Account.Language, langCookieAge)
	}
	http.Redirect(w, r, s.link("/recover/done", "action", string(rec.Action)), http.StatusSeeOther)
}

// recoverDone serves GET /recover/done, the success screen: "Log in" with
// the current password after an unlock, with the new one after a reset
// (whose confirmation email is on its way).
func (s *Server) recoverDone(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "success")
	p.Recovery = string(accounts.RecoveryReset)
	if r.URL.Query().Get("action") == string(accounts.RecoveryUnlock) {
		p.Recovery = string(accounts.RecoveryUnlock)
	}
	s.write(w, r, http.StatusOK, p)
}

// recoverForm shows the unlock button or the Reset Password form for a
// usable link. The link's secret stays out of the language selector's
// address.
func (s *Server) recoverForm(w http.ResponseWriter, r *http.Request, token string, rec *accounts.Recovery, status int, probs []problem) {
	screen := "reset-password"
	if rec.Action == accounts.RecoveryUnlock {
		screen = "recover"
	}
	p := s.newPage(w, r, screen)
	p.Next = "/trouble"
	p.Token, p.Username, p.Recovery, p.Problems = token, rec.Account.Email, string(rec.Action), probs
	s.write(w, r, status, p)
}

// recoverFailed shows why a link cannot be used, in the page's language:
// the disabled-account screen (REC-5, 403), or the invalid-link screen
// with the way to a new link (400) for a missing, truncated, altered,
// used, replaced or expired link. Other errors are failErr's.
func (s *Server) recoverFailed(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		de, ok := errors.AsType[*domain.Error](err)
		switch {
		case ok && de.Key == accounts.KeyRecoverDisabled:
			p := s.newPage(w, r, "disabled")
			p.Next = "/login"
			s.write(w, r, http.StatusForbidden, p)
			return
		case !ok || de.Key != accounts.KeyRecoverInvalid:
			s.failErr(w, r, err)
			return
		}
	}
	p := s.newPage(w, r, "recover")
	p.Next = "/trouble"
	p.Error = accounts.KeyRecoverInvalid
	s.write(w, r, http.StatusBadRequest, p)
}
