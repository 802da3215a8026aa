package mail

import (
	"strings"
	"testing"
)

// The password expiry warning (PWD-8).
func init() {
	sampleData["password_expiry_warning"] = map[string]any{
		"Days":       14,
		"ExpiresOn":  "2027-03-02",
		"ChangeLink": "http://127.0.0.1:8080/account/password",
	}
}

func TestPWD8_ExpiryWarningInBothLanguages(t *testing.T) {
	c := NewComposer("EntryKeyID <no-reply@entrykeyid.test>")
	for _, tc := range []struct{ lang, subject, body string }{
		{"en", "Your password expires in 14 days", "expires on 2027-03-02 (UTC)"},
		{"es", "Tu contraseña caduca en 14 días", "caduca el 2027-03-02 (UTC)"},
	} {
		m, err := c.Compose("ana@example.com", tc.lang, "password_expiry_warning", sampleData["password_expiry_warning"])
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != tc.subject || !strings.Contains(m.Text, tc.body) || !strings.Contains(m.HTML, tc.body) {
			t.Errorf("%s: subject %q, text %q", tc.lang, m.Subject, m.Text)
		}
	}
}
