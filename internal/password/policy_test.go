package password

import (
	"slices"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

func TestPWD1_CheckPolicy(t *testing.T) {
	def := config.Default().Policy
	for _, tc := range []struct {
		name string
		p    config.PasswordPolicy
		pw   string
		want []string
	}{
		{"three classes", def, "Tulipfield7", nil},
		{"four classes", def, "Pass word1!", nil},
		{"exactly min length", def, "Abcdef1!", nil},
		{"one short", def, "Abcde1!", []string{KeyTooShort}},
		{"empty", def, "", []string{KeyTooShort, KeyClasses}},
		{"two classes", def, "tulipfield7", []string{KeyClasses}},
		{"one class", def, "tulipfieldtulip", []string{KeyClasses}},
		{"short and two classes", def, "pass1", []string{KeyTooShort, KeyClasses}},
		{"long passphrase", def, "Correct horse battery staple, " + strings.Repeat("ok ", 30), nil},
		{"128 characters", def, "Aa1" + strings.Repeat("x", 125), nil},
		{"129 characters", def, "Aa1" + strings.Repeat("x", 126), []string{KeyTooLong}},
		{"128 multibyte characters", def, "Ñ1" + strings.Repeat("ñ", 126), nil},
		{"max below 128 is raised to 128", config.PasswordPolicy{MinLength: 8, MaxLength: 20, MinClasses: 3}, "Aa1" + strings.Repeat("x", 100), nil},
		{"larger max", config.PasswordPolicy{MinLength: 8, MaxLength: 256, MinClasses: 3}, "Aa1" + strings.Repeat("x", 250), nil},
		{"spanish upper lower digit", def, "ÑANDÚñandú7", nil},
		{"greek upper lower special", def, "ΑΒΓαβγ!!", nil},
		{"uncased letters are special", def, "パスワードpassword1", nil},
		{"emoji is special", def, "passwordA😀", nil},
		{"space is special", def, "pass word A", nil},
		{"control characters are no class", def, "password\x00\x01A", []string{KeyClasses}},
		{"min classes 0", config.PasswordPolicy{MinLength: 8, MaxLength: 128}, "qzqzqzqzv", nil},
		{"min classes 4", config.PasswordPolicy{MinLength: 8, MaxLength: 128, MinClasses: 4}, "Tulipfield7", []string{KeyClasses}},
		{"min length 12", config.PasswordPolicy{MinLength: 12, MaxLength: 128, MinClasses: 3}, "Password1!", []string{KeyTooShort}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckPolicy(tc.p, tc.pw); !slices.Equal(got, tc.want) {
				t.Fatalf("CheckPolicy(%q) = %q, want %q", tc.pw, got, tc.want)
			}
		})
	}
}

// Length counts characters after NFC: "e" + combining acute is one.
func TestPWD1_LengthCountedAfterNFC(t *testing.T) {
	p := config.PasswordPolicy{MinLength: 8, MaxLength: 128, MinClasses: 0}
	decomposed := strings.Repeat("e\u0301", 7) // 14 runes, 7 after NFC
	if got := CheckPolicy(p, decomposed); !slices.Equal(got, []string{KeyTooShort}) {
		t.Fatalf("7 composed characters: got %q, want too_short", got)
	}
	long := strings.Repeat("e\u0301", 128) // 256 runes, 128 after NFC
	if got := CheckPolicy(p, long); got != nil {
		t.Fatalf("128 composed characters: got %q, want none", got)
	}
}

func TestPWD1_Classes(t *testing.T) {
	for pw, want := range map[string]int{
		"":      0,
		"a":     1,
		"aA":    2,
		"aA1":   3,
		"aA1 ":  4,
		"ǅ":     1, // titlecase counts as upper
		"١٢٣":   1, // Arabic-Indic digits
		"\t\n":  0,
		"€":     1,
		"漢字":    1,
		"Ünï9$": 4,
	} {
		if got := Classes(pw); got != want {
			t.Errorf("Classes(%q) = %d, want %d", pw, got, want)
		}
	}
}
