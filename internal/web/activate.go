package web

import (
	"errors"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// maxTokenLen bounds a link secret read from a request.
const maxTokenLen = 200

// activateShow serves GET /activate?token=: a page with a button that
// posts the token. GET never uses the link, so a mail scanner that
// follows links cannot spend it.
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

// activateSubmit serves POST /activate: it uses the link (ACC-2) and, on
// success, goes to the confirmation screen (ACC-3). The language cookie,
// when not set yet, takes the account's preferred language (PROF-3).
func (s *Server) activateSubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PostForm.Get("token")
	if token == "" || len(token) > maxTokenLen {
		s.activateFailed(w, r)
		return
	}
	acc, err := s.accounts.Activate(r.Context(), token, meta(r, ""))
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Code == domain.EINVALID {
		s.activateFailed(w, r)
		return
	} else if err != nil {
		s.failErr(w, r, err)
		return
	}
	if cookieValue(r, langCookie) == "" && i18n.Supported(acc.Language) {
		s.setCookie(w, langCookie, acc.Language, langCookieAge)
	}
	http.Redirect(w, r, s.cfg.URL("/activated"), http.StatusSeeOther)
}

// activateFailed re-shows the activate screen saying the link is not valid.
func (s *Server) activateFailed(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "activate")
	p.Error = "link.invalid"
	s.write(w, r, http.StatusBadRequest, p)
}
