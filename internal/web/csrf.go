package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
)

// maxBody is the largest request body a form may send (issue 2, "Bad
// input"). A larger one gets the 413 page.
const maxBody = 64 << 10

// csrfField is the hidden form field carrying the token.
const csrfField = "csrf_token"

// csrfTokenLen is the length of an encoded token: 32 random bytes.
var csrfTokenLen = base64.RawURLEncoding.EncodedLen(32)

func (s *Server) csrfCookie() string {
	if s.cfg.SecureCookies() {
		return "__Host-" + csrfCookieName
	}
	return csrfCookieName
}

type csrfKey struct{}

// csrfToken returns the token to print in this response's forms: the one
// in the browser's CSRF cookie, or a new one, set as a browser-session
// cookie. Within one request it always returns the same token.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if t, ok := r.Context().Value(csrfKey{}).(string); ok {
		return t
	}
	t := cookieValue(r, s.csrfCookie())
	if len(t) != csrfTokenLen {
		b := make([]byte, 32)
		rand.Read(b) // never fails (crypto/rand)
		t = base64.RawURLEncoding.EncodeToString(b)
		s.setCookie(w, s.csrfCookie(), t, 0)
	}
	*r = *r.WithContext(context.WithValue(r.Context(), csrfKey{}, t))
	return t
}

// post guards a form handler. In order it refuses, with the full error
// page in the user's language and a link back to the form's screen:
//   - a cross-origin request (403): net/http.CrossOriginProtection checks
//     Sec-Fetch-Site, or Origin against the Host and the issuer;
//   - a body over maxBody (413), by Content-Length or chunked, or one that
//     is not a form (400);
//   - a form whose csrf_token does not equal the CSRF cookie (403),
//     compared in constant time.
//
// The handler then finds the parsed form in r.PostForm.
func (s *Server) post(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.cop.Check(r); err != nil {
			s.log.WarnContext(r.Context(), "web: cross-origin form refused",
				"path", r.URL.Path, "origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
			s.failForm(w, r, http.StatusForbidden, "error.cross_origin", nil)
			return
		}
		form, err := readForm(w, r)
		if errors.Is(err, errTooLarge) {
			s.failForm(w, r, http.StatusRequestEntityTooLarge, "error.too_large", form)
			return
		}
		if err != nil {
			s.failForm(w, r, http.StatusBadRequest, "error.bad_request", nil)
			return
		}
		cookie := cookieValue(r, s.csrfCookie())
		token := r.PostForm.Get(csrfField)
		if len(cookie) != csrfTokenLen || subtle.ConstantTimeCompare([]byte(cookie), []byte(token)) != 1 {
			s.log.WarnContext(r.Context(), "web: form without a valid CSRF token refused", "path", r.URL.Path)
			s.failForm(w, r, http.StatusForbidden, "error.csrf", form)
			return
		}
		h(w, r)
	}
}
