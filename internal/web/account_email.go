package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// emailChangeFields is the order of the change-email form's fields.
var emailChangeFields = []string{accounts.FieldNewEmail, accounts.FieldCurrentPassword}

// emailChangeShow serves GET /account/email, the change-email form
// (PROF-2): the new address and the current password.
func (s *Server) emailChangeShow(w http.ResponseWriter, r *http.Request) {
	_, acc, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	p := s.newPage(w, r, "account-email")
	p.Account = acc
	s.write(w, r, http.StatusOK, p)
}

// emailChangeSubmit serves POST /account/email. On success it says that a
// link went to the new address, in words that hold whether or not the
// address belongs to another account (no enumeration), and that the
// current address signs in until the link is used.
func (s *Server) emailChangeSubmit(w http.ResponseWriter, r *http.Request) {
	_, acc, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	newEmail := strings.TrimSpace(r.PostForm.Get(accounts.FieldNewEmail))
	err := s.accounts.RequestEmailChange(r.Context(), acc.ID, newEmail, r.PostForm.Get(accounts.FieldCurrentPassword), meta(r, ""))
	p := s.newPage(w, r, "account-email")
	p.Next, p.Account, p.NewEmail = "/account/email", acc, newEmail
	if fe, isFE := errors.AsType[accounts.FieldErrors](err); isFE {
		if fe[accounts.FieldNewEmail] == accounts.KeyEmailInvalid && s.tooLong(accounts.FieldNewEmail, newEmail) {
			fe[accounts.FieldNewEmail] = accounts.KeyTooLong
		}
		p.Problems = problemsIn(fe, emailChangeFields...)
		s.write(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if de, isDE := errors.AsType[*domain.Error](err); isDE && de.Code == domain.ETOOMANY {
		p.Error = de.Key
		s.write(w, r, http.StatusTooManyRequests, p)
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p.Notice = "account_email.sent"
	s.write(w, r, http.StatusOK, p)
}

// emailConfirmShow serves GET /account/email/confirm?token=: a page with a
// button that posts the token. GET never uses the link, so a mail scanner
// that follows links cannot confirm a change. It needs no session: the
// link proves the new address, the current password was checked when the
// change was asked for, and the link may well be opened in another
// browser (a mail app's).
func (s *Server) emailConfirmShow(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "email-confirm")
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > maxTokenLen {
		p.Next, p.Error = "/account", "link.invalid"
		s.write(w, r, http.StatusBadRequest, p)
		return
	}
	p.Token = token
	s.write(w, r, http.StatusOK, p)
}

// emailConfirmSubmit serves POST /account/email/confirm: it uses the link
// (accounts.ConfirmEmailChange). Success shows the new username; a link
// that is unknown, altered, used or expired, or an address taken by
// another account meanwhile, shows why and the way forward (ask again from
// the account page), and changes nothing.
func (s *Server) emailConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "email-confirm")
	p.Next = "/account"
	token := r.PostForm.Get("token")
	if token == "" || len(token) > maxTokenLen {
		p.Error = "link.invalid"
		s.write(w, r, http.StatusBadRequest, p)
		return
	}
	acc, err := s.accounts.ConfirmEmailChange(r.Context(), token, meta(r, ""))
	if de, isDE := errors.AsType[*domain.Error](err); isDE && (de.Code == domain.EINVALID || de.Code == domain.ECONFLICT) {
		p.Error = de.Key
		s.write(w, r, statusFor(de.Code), p)
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p.Account, p.Notice = acc, "email_confirm.done"
	s.write(w, r, http.StatusOK, p)
}
