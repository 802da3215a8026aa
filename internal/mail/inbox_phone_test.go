package mail

import (
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// The list is a table on a wide screen and labelled blocks on a phone
// (UX-2); internal/server's TestUX2_DevInboxFitsAPhone measures it in
// Chromium at 390 px.
func TestInbox_ListStacksOnAPhone(t *testing.T) {
	h, _ := inboxWith(t, &domain.Message{To: "maria.fernanda.gonzalez-lopez@subdomain.example.org", Subject: "Activate your account", Text: "a"})
	_, body := get(t, h, "/dev/mail")
	for _, want := range []string{
		`<td data-label="Date">`, `<td data-label="To">maria.fernanda.gonzalez-lopez@subdomain.example.org</td>`,
		`<td data-label="Subject">`, "@media (max-width: 40rem)", "table, caption, tbody, tr, td { display: block; }",
		`content: attr(data-label) ": "`, "td, code { overflow-wrap: anywhere; }",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %q:\n%s", want, body)
		}
	}
}
