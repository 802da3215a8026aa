package mail

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// maxEMLSize bounds what the inbox reads of one file.
const maxEMLSize = 10 << 20

// storedMessage is an .eml file read back: its decoded headers and, when
// asked for, its text and HTML parts.
type storedMessage struct {
	Name      string
	Date      time.Time
	DateRaw   string
	From      string
	To        string
	Subject   string
	MessageID string
	Text      string
	HTML      string
}

var wordDecoder = &mime.WordDecoder{}

// ReadEML parses an RFC 5322 message, such as a file FileSender wrote, and
// returns its To (the bare address), Subject (decoded), Text and HTML parts (transfer
// encoding undone) and its Date as CreatedAt. Tests elsewhere use it to
// find a link in a delivered email.
func ReadEML(r io.Reader) (*domain.Message, error) {
	s, err := readEML(r, true)
	if err != nil {
		return nil, fmt.Errorf("mail: read message: %w", err)
	}
	to := s.To
	if a, err := netmail.ParseAddress(to); err == nil {
		to = a.Address
	}
	return &domain.Message{To: to, Subject: s.Subject, Text: s.Text, HTML: s.HTML, CreatedAt: s.Date}, nil
}

// readEML parses r as an RFC 5322 message. With withBody it also decodes
// the first text/plain and text/html parts, in a single-part message or in
// multipart ones nested to any depth.
func readEML(r io.Reader, withBody bool) (*storedMessage, error) {
	msg, err := netmail.ReadMessage(io.LimitReader(r, maxEMLSize))
	if err != nil {
		return nil, err
	}
	h := msg.Header
	s := &storedMessage{
		DateRaw:   h.Get("Date"),
		From:      displayAddresses(decodeHeader(h.Get("From"))),
		To:        displayAddresses(decodeHeader(h.Get("To"))),
		Subject:   decodeHeader(h.Get("Subject")),
		MessageID: h.Get("Message-Id"),
	}
	if d, err := h.Date(); err == nil {
		s.Date = d
	}
	if !withBody {
		return s, nil
	}
	err = readPart(s, h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return s, err
}

func decodeHeader(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// displayAddresses shows an address list as people write it: the bare
// address, or Name <address>; a list that does not parse is left as is.
func displayAddresses(v string) string {
	list, err := netmail.ParseAddressList(v)
	if err != nil {
		return v
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
		if a.Name != "" {
			out[i] = a.Name + " <" + a.Address + ">"
		}
	}
	return strings.Join(out, ", ")
}

// readPart fills s.Text or s.HTML from one MIME entity, descending into
// multipart entities.
func readPart(s *storedMessage, contentType, encoding string, body io.Reader, depth int) error {
	if contentType == "" {
		contentType = "text/plain; charset=utf-8"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth > 5 {
			return fmt.Errorf("multipart nested too deep")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			// NextPart has already undone quoted-printable (and removed
			// the header); base64 is left to decodeBody.
			err = readPart(s, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err != nil {
				return err
			}
		}
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil
	}
	b, err := decodeBody(body, encoding)
	if err != nil {
		return err
	}
	// Lines end in CRLF on the wire; in Go strings they end in LF.
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch {
	case mediaType == "text/plain" && s.Text == "":
		s.Text = text
	case mediaType == "text/html" && s.HTML == "":
		s.HTML = text
	}
	return nil
}

func decodeBody(body io.Reader, encoding string) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return io.ReadAll(base64.NewDecoder(base64.StdEncoding, body)) // skips line breaks itself
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(body))
	default:
		return io.ReadAll(body)
	}
}
