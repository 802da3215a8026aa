package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Email is one delivered message as a person's mail program would show it:
// decoded headers, and the text and HTML bodies with their transfer
// encodings undone.
type Email struct {
	File    string
	To      string
	Subject string
	Text    string
	HTML    string
}

// readMailDir parses every .eml file in dir, oldest name first. A missing
// directory is an empty mailbox.
func readMailDir(dir string) ([]Email, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Email
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		e, err := parseEmail(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		e.File = name
		out = append(out, e)
	}
	return out, nil
}

// parseEmail decodes an RFC 5322 message with a text/plain, text/html or
// multipart body.
func parseEmail(raw []byte) (Email, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Email{}, err
	}
	dec := new(mime.WordDecoder)
	var e Email
	if e.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Email{}, fmt.Errorf("subject: %w", err)
	}
	if e.To, err = dec.DecodeHeader(msg.Header.Get("To")); err != nil {
		return Email{}, fmt.Errorf("to: %w", err)
	}
	err = walkPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &e)
	return e, err
}

// walkPart decodes one MIME part into e, descending into multiparts.
func walkPart(contentType, encoding string, body io.Reader, e *Email) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content-type %q: %w", contentType, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := walkPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, e); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &newlineStripper{r: body})
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch media {
	case "text/plain":
		e.Text += string(b)
	case "text/html":
		e.HTML += string(b)
	}
	return nil
}

// newlineStripper drops CR and LF so that line-wrapped base64 decodes.
type newlineStripper struct{ r io.Reader }

func (n *newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

var linkPattern = regexp.MustCompile(`https?://[^\s"'<>]+`)

// Links returns every URL in the message's text and HTML bodies, in order,
// with HTML's &amp; undone.
func (e Email) Links() []string {
	var out []string
	for _, body := range []string{e.Text, e.HTML} {
		for _, l := range linkPattern.FindAllString(body, -1) {
			out = append(out, strings.ReplaceAll(l, "&amp;", "&"))
		}
	}
	return out
}

// Link returns the first URL in the message whose path starts with path
// (for example "/activate"), or "".
func (e Email) Link(base, path string) string {
	prefix := strings.TrimRight(base, "/") + path
	for _, l := range e.Links() {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimRight(l, ".,)")
		}
	}
	return ""
}
