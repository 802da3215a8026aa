package web

import (
	"encoding/base64"
	"net/http"
	"time"
	"unicode/utf8"
)

// Cookie names. The session and CSRF cookies take the __Host- prefix when
// cookies are Secure, so that no sibling subdomain can plant them.
const (
	sessionCookieName = "ekid_session"  // SSO session secret; browser-session lifetime (LOGIN-6)
	rememberCookie    = "ekid_remember" // the username only (LOGIN-4)
	langCookie        = "ekid_lang"     // the chosen language, for a year (I18N-1)
	csrfCookieName    = "ekid_csrf"     // double-submit CSRF token
)

// langCookieAge is how long the language choice is remembered.
const langCookieAge = 365 * 24 * time.Hour

// maxUsernameLen bounds an email address (RFC 5321 path limit).
const maxUsernameLen = 320

// setCookie sets an HttpOnly, SameSite=Lax cookie on path "/", Secure when
// the issuer is https. maxAge 0 gives a browser-session cookie (no
// Max-Age, no Expires); a negative maxAge deletes the cookie.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/",
		HttpOnly: true, Secure: s.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	}
	switch {
	case maxAge < 0:
		c.Value, c.MaxAge = "", -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

// cookieValue returns the value of the named cookie, or "".
func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// setSession sets the session cookie: a browser-session cookie, so that a
// new browser or a restarted one must sign in again (LOGIN-6).
func (s *Server) setSession(w http.ResponseWriter, value string) {
	s.setCookie(w, s.sessionCookie(), value, 0)
}

// sessionCookie is the session cookie's name: "__Host-ekid_session" when
// the issuer is https, "ekid_session" on http.
func (s *Server) sessionCookie() string {
	if s.cfg.SecureCookies() {
		return "__Host-" + sessionCookieName
	}
	return sessionCookieName
}

// remember keeps (on) or forgets (off) the username in the remember-me
// cookie for cfg.RememberMe (LOGIN-4). The cookie holds nothing else and
// never signs anyone in.
func (s *Server) remember(w http.ResponseWriter, r *http.Request, username string, on bool) {
	switch {
	case on && username != "":
		s.setCookie(w, rememberCookie, base64.RawURLEncoding.EncodeToString([]byte(username)), s.cfg.RememberMe)
	case cookieValue(r, rememberCookie) != "":
		s.setCookie(w, rememberCookie, "", -1)
	}
}

// remembered returns the username in the remember-me cookie, or "".
func remembered(r *http.Request) string {
	raw, err := base64.RawURLEncoding.DecodeString(cookieValue(r, rememberCookie))
	if err != nil || len(raw) > maxUsernameLen || !utf8.Valid(raw) {
		return ""
	}
	return string(raw)
}

// wholeDays rounds d to whole days, at least 1.
func wholeDays(d time.Duration) int {
	n := int((d + 12*time.Hour) / (24 * time.Hour))
	return max(n, 1)
}
