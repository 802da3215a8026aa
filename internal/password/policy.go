package password

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// Message keys CheckPolicy returns.
const (
	KeyTooShort = "password.too_short"
	KeyTooLong  = "password.too_long"
	KeyClasses  = "password.classes"
)

// minMaxLength is the lowest upper limit PWD-1 allows: long passphrases
// must always fit.
const minMaxLength = 128

// CheckPolicy checks pw against the composition rule of PWD-1 and returns
// the message keys of every rule it breaks, in the order too short or too
// long, then classes, then common (PWD-8: the password, NFC-normalised and
// case-folded, is in the embedded list of common and breached passwords);
// nil when pw is acceptable.
//
// Length is counted in characters (runes) after NFC normalisation. The
// upper limit is p.MaxLength, but never below 128. The four classes are
// decided by Unicode category: uppercase (Lu, Lt), lowercase (Ll), digit
// (Nd), and special (anything else that is not a control character: symbols,
// punctuation, spaces, letters without case, other numbers).
func CheckPolicy(p config.PasswordPolicy, pw string) []string {
	pw = norm.NFC.String(pw)
	var keys []string
	n := utf8.RuneCountInString(pw)
	switch {
	case n < p.MinLength:
		keys = append(keys, KeyTooShort)
	case n > max(p.MaxLength, minMaxLength):
		keys = append(keys, KeyTooLong)
	}
	if Classes(pw) < p.MinClasses {
		keys = append(keys, KeyClasses)
	}
	if IsCommon(pw) {
		keys = append(keys, KeyCommon)
	}
	return keys
}

// Classes returns how many of the four character classes (uppercase,
// lowercase, digit, special) pw uses.
func Classes(pw string) int {
	var upper, lower, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case r == utf8.RuneError || unicode.IsControl(r):
		default:
			special = true
		}
	}
	n := 0
	for _, b := range []bool{upper, lower, digit, special} {
		if b {
			n++
		}
	}
	return n
}
