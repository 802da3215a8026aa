package web

import (
	"errors"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// passwordChangeFields is the order of the change-password form's fields.
var passwordChangeFields = []string{accounts.FieldCurrentPassword, accounts.FieldNewPassword, accounts.FieldConfirm}

// passwordChangeShow serves GET /account/password, the change-password
// form (PWD-5): current password, new password, confirmation.
func (s *Server) passwordChangeShow(w http.ResponseWriter, r *http.Request) {
	_, acc, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	p := s.newPage(w, r, "account-password")
	p.Account = acc
	s.write(w, r, http.StatusOK, p)
}

// passwordChangeSubmit serves POST /account/password. The session it is
// made in stays signed in; every other session of the account ends
// (accounts.ChangePassword). Success goes back to /account with a notice;
// problems re-show the form, never printing a password back.
func (s *Server) passwordChangeSubmit(w http.ResponseWriter, r *http.Request) {
	sess, acc, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	err := s.accounts.ChangePassword(r.Context(), acc.ID, sess.ID,
		f.Get(accounts.FieldCurrentPassword), f.Get(accounts.FieldNewPassword), f.Get(accounts.FieldConfirm), meta(r, ""))
	if err == nil {
		http.Redirect(w, r, s.cfg.URL("/account?done=password"), http.StatusSeeOther)
		return
	}
	p := s.newPage(w, r, "account-password")
	p.Next, p.Account = "/account/password", acc
	if fe, isFE := errors.AsType[accounts.FieldErrors](err); isFE {
		p.Problems = problemsIn(fe, passwordChangeFields...)
		s.write(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if de, isDE := errors.AsType[*domain.Error](err); isDE && de.Code == domain.ETOOMANY {
		p.Error = de.Key
		s.write(w, r, http.StatusTooManyRequests, p)
		return
	}
	s.failErr(w, r, err)
}
