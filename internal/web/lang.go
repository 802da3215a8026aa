package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// language chooses the language of the response (I18N-1, PROF-3), first
// of: ?lang= on the request (remembered in the language cookie for a
// year), the language cookie, the portal's ui_locales, the signed-in
// account's preferred language, the Accept-Language header, English.
func (s *Server) language(w http.ResponseWriter, r *http.Request, uiLocales []string) string {
	if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
		if cookieValue(r, langCookie) != l {
			s.setCookie(w, langCookie, l, langCookieAge)
		}
		return l
	}
	if l := cookieValue(r, langCookie); i18n.Supported(l) {
		return l
	}
	if l := s.cat.MatchList(uiLocales); l != "" {
		return l
	}
	if a := s.peekAccount(r); a != nil && i18n.Supported(a.Language) {
		return a.Language
	}
	if l := s.cat.Match(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return i18n.Default
}

// peekAccount returns the account of a live session cookie without
// touching the session, so that choosing a language never extends a
// session. It returns nil when there is none.
func (s *Server) peekAccount(r *http.Request) *domain.Account {
	v := cookieValue(r, s.sessionCookie())
	if v == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(v))
	sess, err := s.store.SessionByID(r.Context(), hex.EncodeToString(sum[:]))
	if err != nil || !sess.Active(s.clock.Now(), s.cfg.SessionIdle) {
		return nil
	}
	a, err := s.store.AccountByID(r.Context(), sess.AccountID)
	if err != nil {
		return nil
	}
	return a
}

// langSelect serves the language selector's form (GET /lang?l=es&next=/x):
// it remembers the choice in the language cookie and returns to next, a
// path on this site.
func (s *Server) langSelect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	l := q.Get("l")
	if l == "" {
		l = q.Get("lang")
	}
	if i18n.Supported(l) {
		s.setCookie(w, langCookie, l, langCookieAge)
	}
	http.Redirect(w, r, s.cfg.URL(localPath(q.Get("next"))), http.StatusSeeOther)
}

// localPath returns next when it is a path on this site ("/login?x=1"),
// else "/login". It refuses absolute and scheme-relative URLs ("//evil",
// "/\evil") so the selector cannot be used as an open redirect.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/login"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/login"
	}
	return next
}

// currentPath is where the language selector returns to for a GET page:
// the request's path and query without lang.
func currentPath(r *http.Request) string {
	q := r.URL.Query()
	q.Del("lang")
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}
