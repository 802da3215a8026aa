package mail

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// DefaultFrom is the From address used when none is configured; it is the
// same as config.Default().MailFrom.
const DefaultFrom = "EntryKeyID <no-reply@entrykeyid.test>"

// buildMsg turns an outbox message into a MIME message: multipart/alternative
// with the text part first and the HTML part second (or text alone when
// there is no HTML), Date, From, To, Subject (RFC 2047 encoded when it is
// not ASCII) and Message-ID. FileSender and SMTPSender both use it, so a
// file in the development inbox is byte for byte what a relay would get
// (apart from the MIME boundary, which is random).
func buildMsg(from string, m *domain.Message, now time.Time) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("mail: from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: message %d: recipient: %w", m.ID, err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, fmt.Errorf("mail: message %d: subject has a line break", m.ID)
	}
	msg.Subject(m.Subject)
	date := m.CreatedAt
	if date.IsZero() {
		date = now
	}
	msg.SetDateWithValue(date.UTC())
	msg.SetMessageIDWithValue(messageID(from, m))
	// RFC 3834: tells autoresponders (vacation replies) not to answer.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID is stable for one outbox message (its id and creation time),
// so that a message sent again after a lost acknowledgement can be
// recognised as a duplicate by the receiving side. A message that is not
// from the outbox (ID 0) gets a random one.
func messageID(from string, m *domain.Message) string {
	domainPart := "entrykeyid.invalid"
	if a, err := netmail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domainPart = d
		}
	}
	if m.ID != 0 && !m.CreatedAt.IsZero() {
		return fmt.Sprintf("outbox.%d.%d@%s", m.ID, m.CreatedAt.UnixNano(), domainPart)
	}
	return fmt.Sprintf("%s@%s", randomHex(16), domainPart)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
