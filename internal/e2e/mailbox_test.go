package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/mail"
)

// TestReadMailDir reads back what the product's composer and file sender
// write, in both languages, so that the end-to-end tests find activation
// links the way a person's mail program would.
func TestReadMailDir(t *testing.T) {
	dir := t.TempDir()
	composer := mail.NewComposer("EntryKeyID <no-reply@entrykeyid.test>")
	sender := mail.NewFileSender(dir)
	const link = "http://127.0.0.1:8080/activate?token=abc_DEF-123&x=1"
	for _, tc := range []struct{ to, lang, subject string }{
		{"ada@example.test", "en", "Activate your account"},
		{"juana@example.test", "es", "Activa tu cuenta"},
	} {
		m, err := composer.Compose(tc.to, tc.lang, "activate", map[string]any{"Name": "Juana Inés", "Link": link, "ExpiresDays": 7})
		if err != nil {
			t.Fatal(err)
		}
		if err := sender.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := readMailDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("read %d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if !strings.Contains(m.Subject, "Activ") {
			t.Errorf("%s: subject %q", m.File, m.Subject)
		}
		if got := m.Link("http://127.0.0.1:8080", "/activate"); got != link {
			t.Errorf("%s: link %q, want %q (text %q)", m.File, got, link, m.Text)
		}
		if m.Text == "" || m.HTML == "" {
			t.Errorf("%s: want a text and an HTML body", m.File)
		}
	}
}
