package accounts

import (
	"strings"
	"testing"
)

func TestACC1_NormalizeEmailVariantsCollide(t *testing.T) {
	for _, group := range [][]string{
		{"Ana.Perez@Example.com", "ana.perez@example.com", "ANA.PEREZ@EXAMPLE.COM", "  ana.perez@Example.COM\t\n"},
		{"Jos\u00e9@example.com", "Jose\u0301@example.com", "JOS\u00c9@EXAMPLE.COM", "JOSE\u0301@example.com"},
		{"strasse@example.de", "STRASSE@example.de", "stra\u00dfe@example.de", "STRA\u1e9eE@example.de"},
		{"\u03c3\u03bf\u03c6\u03b9\u03b1@example.gr", "\u03a3\u039f\u03a6\u0399\u0391@example.gr"},
		{"kelvin@example.com", "\u212aelvin@example.com"},
		{"\u00f1and\u00fa@ejemplo.es", "N\u0303ANDU\u0301@EJEMPLO.ES"},
	} {
		want, ok := NormalizeEmail(group[0])
		if !ok {
			t.Fatalf("NormalizeEmail(%q) refused", group[0])
		}
		for _, v := range group[1:] {
			if got, ok := NormalizeEmail(v); !ok || got != want {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q (as %q)", v, got, ok, want, group[0])
			}
		}
	}
}

func TestACC1_NormalizeEmailKeepsDistinctAddressesApart(t *testing.T) {
	a, _ := NormalizeEmail("ana@example.com")
	for _, other := range []string{"ana@example.org", "anna@example.com", "an\u00e1@example.com", "ana+x@example.com"} {
		if b, _ := NormalizeEmail(other); b == a {
			t.Errorf("%q collides with ana@example.com", other)
		}
	}
}

func TestACC1_NormalizeEmailAccepts(t *testing.T) {
	for _, email := range []string{
		"a@b",
		"first.last+tag@sub.example.com",
		"o'brien@example.ie",
		"\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a",
		"x@" + strings.Repeat("d", 252), // 254 characters
	} {
		if _, ok := NormalizeEmail(email); !ok {
			t.Errorf("NormalizeEmail(%q) refused a valid address", email)
		}
	}
}

func TestACC1_NormalizeEmailRejects(t *testing.T) {
	for name, email := range map[string]string{
		"empty":             "",
		"blank":             "   ",
		"no at":             "ana.example.com",
		"two ats":           "ana@home@example.com",
		"double at":         "ana@@example.com",
		"empty local":       "@example.com",
		"empty domain":      "ana@",
		"inner space":       "ana perez@example.com",
		"space near at":     "ana @example.com",
		"nbsp":              "ana\u00a0@example.com",
		"nul":               "ana\x00@example.com",
		"tab":               "ana\t@example.com",
		"newline injection": "ana@example.com\r\nBcc: x@y.z",
		"del":               "ana\x7f@example.com",
		"invalid utf8":      "an\xffa@example.com",
		"display name":      "Ana <ana@example.com>",
		"list":              "a,b@example.com",
		"comment":           "ana@example.com(x)",
		"double dot":        "ana..perez@example.com",
		"too long":          "x@" + strings.Repeat("d", 253), // 255 characters
	} {
		t.Run(name, func(t *testing.T) {
			if key, ok := NormalizeEmail(email); ok {
				t.Fatalf("NormalizeEmail(%q) = %q, true; want refused", email, key)
			}
		})
	}
}
