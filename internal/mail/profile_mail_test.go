package mail

import (
	"strings"
	"testing"
)

// The emails of managing one's own account (PWD-5, PROF-2).
func init() {
	sampleData["password_changed"] = map[string]any{
		"TroubleLink": "http://127.0.0.1:8080/trouble",
	}
	sampleData["email_change"] = map[string]any{
		"Link":         "http://127.0.0.1:8080/account/email/confirm?token=abc123",
		"ExpiresHours": 24,
	}
	sampleData["email_changed_notice"] = map[string]any{
		"ContactLink": "http://127.0.0.1:8080/contact",
	}
}

// TestPROF3_ProfileEmailsInBothLanguages: the subjects of the password and
// email-change emails follow the language asked for.
func TestPROF3_ProfileEmailsInBothLanguages(t *testing.T) {
	c := NewComposer(DefaultFrom)
	for _, tt := range []struct{ name, lang, subject, phrase string }{
		{"password_changed", "en", "Your password was changed", "Every other device signed in to the account has been signed out."},
		{"password_changed", "es", "Se cambió tu contraseña", "Se cerró la sesión en todos los demás dispositivos"},
		{"email_change", "en", "Confirm your new email address", "expires in 24 hours"},
		{"email_change", "es", "Confirma tu nueva dirección de correo", "vence en 24 horas"},
		{"email_changed_notice", "en", "Your email address was changed", "This address no longer signs in to it."},
		{"email_changed_notice", "es", "Se cambió tu dirección de correo", "Esta dirección ya no sirve para iniciar sesión en ella."},
	} {
		t.Run(tt.name+"."+tt.lang, func(t *testing.T) {
			m, err := c.Compose("ana@example.com", tt.lang, tt.name, sampleData[tt.name])
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			if !strings.Contains(m.Text, tt.phrase) || !strings.Contains(m.HTML, tt.phrase) {
				t.Errorf("both parts should say %q:\n%s", tt.phrase, m.Text)
			}
		})
	}
}
