package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// troubleShow serves GET /trouble ("Trouble logging in?"): a form asking
// the email address, which says there is no username recovery and points
// to creating a new account (REC-6). ?username= fills the field in (the
// password screen's link carries it).
func (s *Server) troubleShow(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "trouble")
	if u := r.URL.Query().Get("username"); !s.tooLong("username", u) {
		p.Username = strings.TrimSpace(u)
	}
	s.write(w, r, http.StatusOK, p)
}

// troubleSubmit serves POST /trouble: it asks accounts.StartRecovery for a
// recovery email (REC-1) and shows "check your email", the same for every
// well-formed address, whether or not it has an account. An empty or
// malformed address re-shows the form with the problem.
func (s *Server) troubleSubmit(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostForm.Get("username"))
	if key := s.checkTroubleAddress(email); key != "" {
		p := s.newPage(w, r, "trouble")
		p.Next = "/trouble"
		p.Username, p.Problems = email, []problem{{"username", key}}
		s.write(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if err := s.accounts.StartRecovery(r.Context(), email, meta(r, "")); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.recoverySent(w, r, email, 0, "")
}

// troubleResend serves POST /trouble/resend, the Resend button of the
// recovery check-email screen (REC-2: the new link voids the older). The
// form carries how many times it has re-sent; after
// accounts.MaxRecoveryResends the screen tells the user to contact support
// instead of offering Resend again (REC-3). The count only drives the
// screen, the same for every address; accounts caps the emails per
// account whatever the form says.
func (s *Server) troubleResend(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostForm.Get("email"))
	resends, err := strconv.Atoi(r.PostForm.Get("resends"))
	if err != nil || resends < 0 || resends > accounts.MaxRecoveryResends {
		resends = accounts.MaxRecoveryResends
	}
	if s.checkTroubleAddress(email) != "" {
		http.Redirect(w, r, s.cfg.URL("/trouble"), http.StatusSeeOther)
		return
	}
	err = s.accounts.ResendRecovery(r.Context(), email, resends, meta(r, ""))
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Key == accounts.KeyRecoverContactSupport {
		s.recoverySent(w, r, email, accounts.MaxRecoveryResends, "")
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.recoverySent(w, r, email, resends+1, "recover.resent")
}

// recoverySent shows the recovery variant of "check your email" (REC-1)
// with Resend while resends < MaxRecoveryResends, then the contact-support
// message (REC-3).
func (s *Server) recoverySent(w http.ResponseWriter, r *http.Request, email string, resends int, notice string) {
	p := s.newPage(w, r, "check-email")
	p.Next = "/trouble"
	p.Username, p.Recovery, p.Resends, p.Notice = email, "sent", resends, notice
	s.write(w, r, http.StatusOK, p)
}

// checkTroubleAddress returns the message key of what is wrong with the
// typed address, or "" when it is a well-formed address.
func (s *Server) checkTroubleAddress(email string) string {
	switch _, ok := accounts.NormalizeEmail(email); {
	case email == "":
		return accounts.KeyRequired
	case s.tooLong("username", email):
		return accounts.KeyTooLong
	case !ok:
		return accounts.KeyEmailInvalid
	}
	return ""
}

// CanResend reports whether the recovery check-email screen still offers
// Resend (REC-3).
func (p *page) CanResend() bool { return p.Resends < accounts.MaxRecoveryResends }
