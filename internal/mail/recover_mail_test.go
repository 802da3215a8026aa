package mail

import (
	"strings"
	"testing"
)

// The emails of self-service recovery (REC-1, REC-4).
func init() {
	sampleData["recover"] = map[string]any{
		"Link":           "http://127.0.0.1:8080/recover?token=abc123",
		"ExpiresMinutes": 60,
	}
	sampleData["password_reset_done"] = map[string]any{
		"LoginLink": "http://127.0.0.1:8080/login",
	}
}

// TestREC1_RecoveryEmailsInBothLanguages: the recovery email and the
// reset confirmation have their subjects, link and button in English and
// Spanish.
func TestREC1_RecoveryEmailsInBothLanguages(t *testing.T) {
	c := NewComposer(DefaultFrom)
	for _, tt := range []struct{ name, lang, subject, phrase string }{
		{"recover", "en", "Reset your password or unlock your account", "expires in 60 minutes"},
		{"recover", "es", "Restablece tu contraseña o desbloquea tu cuenta", "vence en 60 minutos"},
		{"password_reset_done", "en", "Your password has been reset", "Log into your account"},
		{"password_reset_done", "es", "Se restableció tu contraseña", "Inicia sesión en tu cuenta"},
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
				t.Errorf("text or HTML lacks %q", tt.phrase)
			}
		})
	}
}
