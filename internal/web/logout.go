package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// logoutShow serves GET /logout, where the provider's end_session sends a
// browser it could not identify: a page asking to confirm by POST, so that
// no link or image can sign anyone out. A browser with no session is not
// asked: it goes where the portal asked (when valid) or to the signed-out
// screen.
func (s *Server) logoutShow(w http.ResponseWriter, r *http.Request) {
	f := parseLogoutForm(r.URL.Query())
	if cookieValue(r, s.sessionCookie()) == "" {
		s.afterLogout(w, r, f)
		return
	}
	p := s.newPage(w, r, "logout")
	p.ClientID, p.PostLogoutRedirectURI, p.State = f.ClientID, f.PostLogoutRedirectURI, f.State
	s.write(w, r, http.StatusOK, p)
}

// logoutSubmit serves POST /logout: it ends the session of the cookie
// (accounts.EndSession revokes its tokens and audits), even one already
// idle, clears the cookie, and goes on as afterLogout says.
func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	f := parseLogoutForm(r.PostForm)
	if v := cookieValue(r, s.sessionCookie()); v != "" {
		sum := sha256.Sum256([]byte(v)) // Session.ID is the cookie's digest
		err := s.accounts.EndSession(r.Context(), hex.EncodeToString(sum[:]), meta(r, f.ClientID))
		if err != nil && !domain.IsNotFound(err) {
			s.failErr(w, r, err)
			return
		}
		s.setCookie(w, s.sessionCookie(), "", -1)
	}
	s.afterLogout(w, r, f)
}

// afterLogout redirects to post_logout_redirect_uri, with state, when it
// exactly equals one registered for client_id; otherwise it shows the
// signed-out screen.
func (s *Server) afterLogout(w http.ResponseWriter, r *http.Request, f logoutForm) {
	if f.ClientID != "" && f.PostLogoutRedirectURI != "" {
		c, err := s.store.ClientByID(r.Context(), f.ClientID)
		if err != nil && !domain.IsNotFound(err) {
			s.failErr(w, r, err)
			return
		}
		if err == nil && slices.Contains(c.PostLogoutRedirectURIs, f.PostLogoutRedirectURI) {
			if u, err := url.Parse(f.PostLogoutRedirectURI); err == nil {
				if f.State != "" {
					q := u.Query()
					q.Set("state", f.State)
					u.RawQuery = q.Encode()
				}
				http.Redirect(w, r, u.String(), http.StatusFound)
				return
			}
		}
	}
	p := s.newPage(w, r, "signed-out")
	p.Next = "/login"
	s.write(w, r, http.StatusOK, p)
}
