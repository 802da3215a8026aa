package web

import (
	"errors"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
)

// signupShow serves GET /signup, the create-account form (ACC-2). The
// preferred language starts as the screen's language.
func (s *Server) signupShow(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "signup")
	p.AuthRequestID = r.URL.Query().Get("authRequestID")
	p.Form.Language = p.Lang
	s.write(w, r, http.StatusOK, p)
}

// signupSubmit serves POST /signup. Field errors re-show the form with
// each message beside its field and in the error summary. Otherwise the
// "check your email" screen follows, the same whether the address was new
// or already had an account (accounts.Register emails either way).
func (s *Server) signupSubmit(w http.ResponseWriter, r *http.Request) {
	f := parseSignupForm(r)
	p := s.newPage(w, r, "signup")
	p.Next = "/signup"
	p.AuthRequestID, p.Form = f.AuthRequestID, f
	p.Form.Password, p.Form.Confirm = "", ""

	err := s.accounts.Register(r.Context(), f.signUp(), meta(r, ""))
	if fe, ok := errors.AsType[accounts.FieldErrors](err); ok {
		if fe[accounts.FieldEmail] == accounts.KeyEmailInvalid && s.tooLong(accounts.FieldEmail, f.Email) {
			fe[accounts.FieldEmail] = accounts.KeyTooLong
		}
		p.Problems = problemsOf(fe)
		s.write(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p.Screen, p.Username = "check-email", f.Email
	s.write(w, r, http.StatusOK, p)
}

// activationResend serves POST /activate/resend: the Resend button of the
// check-email screen and of the password screen for a pending account.
// The answer is the same whether or not the address has a pending
// account.
func (s *Server) activationResend(w http.ResponseWriter, r *http.Request) {
	email := r.PostForm.Get("email")
	if err := s.accounts.ResendActivation(r.Context(), email, meta(r, "")); err != nil {
		s.failErr(w, r, err)
		return
	}
	p := s.newPage(w, r, "check-email")
	p.Username, p.Notice = email, "check_email.resent"
	s.write(w, r, http.StatusOK, p)
}
