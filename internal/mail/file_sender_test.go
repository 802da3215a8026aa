package mail

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// spanishMessage is composed for real, so the test covers what accounts
// will enqueue.
func spanishMessage(t *testing.T) *domain.Message {
	t.Helper()
	m, err := NewComposer(DefaultFrom).Compose("josé@example.com", "es", "activate", map[string]any{
		"Link": "http://127.0.0.1:8080/activate?token=s3cr3t", "ExpiresDays": 7,
	})
	if err != nil {
		t.Fatal(err)
	}
	m.ID = 42
	m.CreatedAt = time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	return m
}

func TestFileSender_WritesParseableEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail") // created on first Send
	s := NewFileSender(dir)
	m := spanishMessage(t)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	files := emlFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("files = %v, want one .eml", files)
	}
	// The files hold live activation links: owner only (M2).
	if info, err := os.Stat(filepath.Join(dir, files[0])); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, %v; want 0600", info.Mode(), err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("folder mode = %v, %v; want 0700", info.Mode(), err)
	}
	f, err := os.Open(filepath.Join(dir, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "Activa tu cuenta" {
		t.Errorf("subject = %q, %v", subject, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "josé@example.com" {
		t.Errorf("To = %v, %v", to, err)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "no-reply@entrykeyid.test" || from[0].Name != "EntryKeyID" {
		t.Errorf("From = %v, %v", from, err)
	}
	if date, err := h.Date(); err != nil || !date.Equal(m.CreatedAt) {
		t.Errorf("Date = %v, %v; want %v", date, err, m.CreatedAt)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<outbox.42.") || !strings.HasSuffix(id, "@entrykeyid.test>") {
		t.Errorf("Message-ID = %q", id)
	}
	if h.Get("Mime-Version") != "1.0" {
		t.Errorf("MIME-Version = %q", h.Get("Mime-Version"))
	}

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, %v", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types, bodies []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ct, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if !strings.EqualFold(ps["charset"], "utf-8") {
			t.Errorf("%s part charset = %q", ct, ps["charset"])
		}
		b, err := io.ReadAll(p) // quoted-printable is decoded by NextPart
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ct)
		bodies = append(bodies, strings.ReplaceAll(string(b), "\r\n", "\n"))
	}
	if !slices.Equal(types, []string{"text/plain", "text/html"}) {
		t.Fatalf("parts = %v, want text/plain then text/html", types)
	}
	if strings.TrimSpace(bodies[0]) != strings.TrimSpace(m.Text) {
		t.Errorf("text part:\n%s\nwant:\n%s", bodies[0], m.Text)
	}
	if strings.TrimSpace(bodies[1]) != strings.TrimSpace(m.HTML) {
		t.Errorf("html part:\n%s\nwant:\n%s", bodies[1], m.HTML)
	}
}

func TestFileSender_EncodesNonASCIISubject(t *testing.T) {
	dir := t.TempDir()
	m := &domain.Message{To: "ana@example.com", Subject: "¿Problemas para iniciar sesión?", Text: "Hola\n"}
	if err := NewFileSender(dir).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, emlFiles(t, dir)[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	raw := msg.Header.Get("Subject")
	if !strings.HasPrefix(raw, "=?UTF-8?") && !strings.HasPrefix(raw, "=?utf-8?") {
		t.Errorf("raw Subject = %q, want an RFC 2047 UTF-8 encoded word", raw)
	}
	if got, err := new(mime.WordDecoder).DecodeHeader(raw); err != nil || got != m.Subject {
		t.Errorf("decoded Subject = %q, %v; want %q", got, err, m.Subject)
	}
	// A single-part message (no HTML) is plain text.
	if ct := msg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
}

func TestFileSender_NamesSortByTimeAndNeverCollide(t *testing.T) {
	dir := t.TempDir()
	s := NewFileSender(dir)
	base := time.Date(2026, 3, 1, 9, 59, 59, 999_999_000, time.UTC)
	var times []time.Time
	for i := range 12 {
		// Two messages share each instant; the id and random suffix keep
		// them apart.
		times = append(times, base.Add(time.Duration(i/2)*time.Millisecond))
	}
	i := 0
	s.now = func() time.Time { t := times[i]; i++; return t }
	for n := range times {
		m := &domain.Message{ID: int64(n + 1), To: "ana@example.com", Subject: "s", Text: "t"}
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	files := emlFiles(t, dir)
	if len(files) != len(times) {
		t.Fatalf("%d files, want %d: %v", len(files), len(times), files)
	}
	if !slices.IsSorted(files) {
		t.Errorf("names not sorted by time: %v", files)
	}
	if !strings.HasPrefix(files[0], "20260301T095959.999999000Z-1-") {
		t.Errorf("first name = %q", files[0])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(files) {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestFileSender_Refuses(t *testing.T) {
	dir := t.TempDir()
	s := NewFileSender(dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, &domain.Message{To: "ana@example.com", Subject: "s", Text: "t"}); err == nil {
		t.Error("cancelled context: want an error")
	}
	if err := s.Send(context.Background(), &domain.Message{To: "nobody", Subject: "s", Text: "t"}); err == nil {
		t.Error("bad recipient: want an error")
	}
	if err := s.Send(context.Background(), &domain.Message{To: "a@example.com", Subject: "s\r\nBcc: x@evil.test", Text: "t"}); err == nil {
		t.Error("subject with a line break: want an error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written for refused messages: %v", entries)
	}
}

func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			names = append(names, e.Name())
		}
	}
	return names
}
