package web

import (
	"errors"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// statusFor maps a domain error code to its HTTP status, in one place.
func statusFor(code string) int {
	switch code {
	case domain.EINVALID:
		return http.StatusBadRequest
	case domain.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case domain.EFORBIDDEN:
		return http.StatusForbidden
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.ETOOMANY:
		return http.StatusTooManyRequests
	case domain.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// statusMessage is the message key shown for a status when the error has
// no key of its own.
var statusMessage = map[int]string{
	http.StatusBadRequest:            "error.bad_request",
	http.StatusUnauthorized:          "error.forbidden",
	http.StatusForbidden:             "error.forbidden",
	http.StatusNotFound:              "error.not_found",
	http.StatusMethodNotAllowed:      "error.method",
	http.StatusConflict:              "error.bad_request",
	http.StatusRequestEntityTooLarge: "error.too_large",
	http.StatusTooManyRequests:       "error.too_many",
	http.StatusInternalServerError:   "error.internal",
	http.StatusServiceUnavailable:    "error.unavailable",
}

// statusTitle is the title key of the error page for a status.
func statusTitle(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusConflict:
		return "error.400.title"
	case http.StatusUnauthorized, http.StatusForbidden:
		return "error.403.title"
	case http.StatusNotFound:
		return "error.404.title"
	case http.StatusMethodNotAllowed:
		return "error.405.title"
	case http.StatusRequestEntityTooLarge:
		return "error.413.title"
	case http.StatusTooManyRequests:
		return "error.429.title"
	case http.StatusServiceUnavailable:
		return "error.503.title"
	}
	return "error.500.title"
}

// fail shows the error page with the status and the message key, in the
// user's language.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := s.newPage(w, r, "error")
	p.Title, p.Error = statusTitle(status), key
	if r.Method != http.MethodGet {
		p.Next = "/login"
	}
	s.write(w, r, status, p)
}

// failErr shows the error page for err: its status from the domain code,
// its message from the error's key when the catalogs have it. Faults of
// ours are logged with their detail and shown as a generic 500.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	status := statusFor(domain.ErrorCode(err))
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "web: request failed", "path", r.URL.Path, "err", err)
	}
	key := statusMessage[status]
	if de, ok := errors.AsType[*domain.Error](err); ok && de.Key != "" && s.cat.Has(de.Key) && status < 500 {
		key = de.Key
	}
	s.fail(w, r, status, key)
}

// notFound answers paths no route serves with the 404 page, and known
// paths asked with a method they do not accept with the 405 page.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" && m != r.Method {
			w.Header().Set("Allow", m)
			s.fail(w, r, http.StatusMethodNotAllowed, "error.method")
			return
		}
	}
	s.fail(w, r, http.StatusNotFound, "error.not_found")
}

// codeKeys lists the message keys chosen in Go code rather than named in
// templates; New checks each is in every catalog.
func codeKeys() []string {
	keys := []string{
		// from package accounts and password
		"login.failed", "login.locked", "login.pending", "login.disabled", "link.invalid",
		"field.required", "field.too_long", "field.invalid", "email.invalid",
		"password.mismatch", "password.too_short", "password.too_long", "password.classes",
		"password.common", "password.reused", "login.expired", "login.dormant", "login.recovery",
		"locked.failed_attempts", "locked.dormant", "state.pending", "recover.required",
		"name.too_long", "language.invalid",
		// chosen here
		"error.cross_origin", "error.csrf", "error.auth_request", "check_email.resent",
	}
	for status, key := range statusMessage {
		keys = append(keys, key, statusTitle(status))
	}
	return keys
}
