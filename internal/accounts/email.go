package accounts

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxEmailLen is the longest address accepted, in characters (RFC 5321's
// 254-octet path limit, counted generously for internationalised addresses).
const maxEmailLen = 254

// NormalizeEmail returns the uniqueness key of an email address (ACC-1):
// the address trimmed of surrounding space, normalised to NFC and
// case-folded. ok is false when the input is not a single plain address:
// not exactly one "@", an empty local part or domain, a space or control
// character inside, invalid UTF-8, more than 254 characters, or anything
// net/mail would read as other than exactly this address (display names,
// lists, comments).
func NormalizeEmail(email string) (key string, ok bool) {
	email = strings.TrimSpace(email)
	if !plainAddress(email) {
		return "", false
	}
	// Folding can leave a string that is not NFC, so normalise again.
	key = norm.NFC.String(cases.Fold().String(norm.NFC.String(email)))
	return key, true
}

func plainAddress(email string) bool {
	if email == "" || !utf8.ValidString(email) || utf8.RuneCountInString(email) > maxEmailLen {
		return false
	}
	if strings.Count(email, "@") != 1 {
		return false
	}
	local, domain, _ := strings.Cut(email, "@")
	if local == "" || domain == "" {
		return false
	}
	for _, r := range email {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	addr, err := mail.ParseAddress(email)
	return err == nil && addr.Name == "" && addr.Address == email
}
