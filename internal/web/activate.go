package web

import (
	"errors"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// maxTokenLen bounds a link secret read from a request.
const maxTokenLen = 200

// activateShow serves GET /activate?token=: a form asking for the password
// chosen at sign-up, which posts it with the token. GET never uses the
// link, so a mail scanner that follows links cannot spend it.
func (s *Server) activateShow(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "activate")
	p.Next = "/login"
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > maxTokenLen {
		p.Error = "link.invalid"
		s.write(w, r, http.StatusBadRequest, p)
		return
	}
	p.Token = token
	s.write(w, r, http.StatusOK, p)
}

// activateSubmit serves POST /activate: it uses the link with the password
// typed (ACC-2; accounts.Activate checks it against the sign-up that asked
// for the link) and, on success, goes to the confirmation screen (ACC-3).
// A missing or wrong password re-shows the form for the same link with the
// message beside the field; a link that is not usable (or whose tries are
// spent) shows the invalid-link screen. The language cookie, when not set
// yet, takes the account's preferred language (PROF-3).
func (s *Server) activateSubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PostForm.Get("token")
	if token == "" || len(token) > maxTokenLen {
		s.activateFailed(w, r)
		return
	}
	acc, err := s.accounts.Activate(r.Context(), token, r.PostForm.Get("password"), meta(r, ""))
	if fe, ok := errors.AsType[accounts.FieldErrors](err); ok {
		s.activateAgain(w, r, token, http.StatusUnprocessableEntity, problemsOf(fe))
		return
	}
	if de, ok := errors.AsType[*domain.Error](err); ok {
		switch {
		case de.Key == accounts.KeyActivatePasswordMismatch:
			s.activateAgain(w, r, token, statusFor(de.Code), []problem{{"password", de.Key}})
			return
		case de.Code == domain.EINVALID:
			s.activateFailed(w, r)
			return
		}
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if cookieValue(r, langCookie) == "" && i18n.Supported(acc.Language) {
		s.setCookie(w, langCookie, acc.Language, langCookieAge)
	}
	http.Redirect(w, r, s.cfg.URL("/activated"), http.StatusSeeOther)
}

// activateAgain re-shows the activation form for the same link with the
// password's problem. The password is never printed back.
func (s *Server) activateAgain(w http.ResponseWriter, r *http.Request, token string, status int, probs []problem) {
	p := s.newPage(w, r, "activate")
	p.Next = "/login"
	p.Token, p.Problems = token, probs
	s.write(w, r, status, p)
}

// activateFailed re-shows the activate screen saying the link is not valid.
func (s *Server) activateFailed(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "activate")
	p.Error = "link.invalid"
	s.write(w, r, http.StatusBadRequest, p)
}
