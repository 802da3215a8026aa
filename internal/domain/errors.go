package domain

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in one place (web.statusFor).
const (
	ECONFLICT     = "conflict"     // the thing exists already
	EINTERNAL     = "internal"     // a fault of ours; details only in the log
	EINVALID      = "invalid"      // the input is wrong
	ENOTFOUND     = "not_found"    // no such thing
	EUNAUTHORIZED = "unauthorized" // credentials missing or wrong
	EFORBIDDEN    = "forbidden"    // known, but not allowed
	ETOOMANY      = "too_many"     // rate limited
	EUNAVAILABLE  = "unavailable"  // a dependency (the database) is down
	ESCHEMA       = "schema"       // the database schema is not the one we know
)

// Error is the one error type of the domain. Message is safe to show to a
// person; Key, when set, names a translated message for the hosted screens.
type Error struct {
	Code    string
	Message string
	Key     string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err, or a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Internal error."
}

// IsNotFound reports whether err carries ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }

// IsConflict reports whether err carries ECONFLICT.
func IsConflict(err error) bool { return ErrorCode(err) == ECONFLICT }

// ErrNotFound is a convenience constructor used by stores.
func ErrNotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found"}
}
