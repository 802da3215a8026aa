package web

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Server-side length limits of the form fields, in characters. The inputs
// carry them as maxlength, and a too-long value's message names them.
const (
	maxEmailLen = 254 // accounts.NormalizeEmail refuses a longer address
	maxNameLen  = 100 // accounts.Register refuses a longer first or last name
	maxPhoneLen = 32  // accounts.UpdateProfile refuses a longer phone or fax number
)

// maxLen returns the longest value the server accepts in the named field,
// or 0 when the field has no limit of its own. Passwords are limited by
// the policy's maximum, never below 128 (PWD-1).
func (s *Server) maxLen(field string) int {
	switch field {
	case "email", "username", "new_email":
		return maxEmailLen
	case "phone", "fax":
		return maxPhoneLen
	case "first_name", "last_name":
		return maxNameLen
	case "password", "confirm_password", "current_password", "new_password":
		return max(s.cfg.Policy.MaxLength, 128)
	}
	return 0
}

// MaxLen is maxLen for the templates' maxlength attributes.
func (p *page) MaxLen(field string) int { return p.s.maxLen(field) }

// messageKey returns the key of the message shown for a field error: a
// generic key ("field.required") becomes the field's own message when the
// catalogs have one, first for this screen ("signup.password.required"),
// then for the field anywhere ("field.first_name.required"). Other keys
// are already specific and are kept.
func (p *page) messageKey(field, key string) string {
	suffix, ok := strings.CutPrefix(key, "field.")
	if !ok {
		return key
	}
	for _, k := range []string{p.Screen + "." + field + "." + suffix, "field." + field + "." + suffix} {
		if p.s.cat.Has(k) {
			return k
		}
	}
	return key
}

// FieldMessage returns the translated error of the named field, or "":
// the message beside the field ("Enter your first name.").
func (p *page) FieldMessage(field string) string {
	key := p.FieldError(field)
	if key == "" {
		return ""
	}
	return p.T(p.messageKey(field, key), "limit", strconv.Itoa(p.s.maxLen(field)))
}

// SummaryItem returns one line of the error summary: the field's label
// and its message ("First name: Enter your first name."), so that every
// line says which field is wrong.
func (p *page) SummaryItem(pr problem) string {
	return p.T("error.summary.item", "field", p.T("field."+pr.Field), "message", p.FieldMessage(pr.Field))
}

// tooLong reports whether v has more characters than the field accepts.
func (s *Server) tooLong(field, v string) bool {
	n := s.maxLen(field)
	return n > 0 && utf8.RuneCountInString(v) > n
}
