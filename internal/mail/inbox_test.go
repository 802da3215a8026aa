package mail

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// inboxWith writes the messages through a FileSender, one second apart,
// and returns the inbox over them and the file names, oldest first.
func inboxWith(t *testing.T, msgs ...*domain.Message) (http.Handler, []string) {
	t.Helper()
	dir := t.TempDir()
	s := NewFileSender(dir)
	now := t0
	s.now = func() time.Time { now = now.Add(time.Second); return now }
	for _, m := range msgs {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	return NewInbox(dir), emlFiles(t, dir)
}

func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestInbox_ListsNewestFirst(t *testing.T) {
	older := &domain.Message{To: "old@example.com", Subject: "Older", Text: "a"}
	newer := spanishMessage(t)
	h, names := inboxWith(t, older, newer)
	for _, path := range []string{"/dev/mail", "/dev/mail/"} {
		res, body := get(t, h, path)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("security headers missing: %v", res.Header)
		}
		iNew, iOld := strings.Index(body, "Activa tu cuenta"), strings.Index(body, "Older")
		if iNew < 0 || iOld < 0 || iNew > iOld {
			t.Errorf("want the newer message first:\n%s", body)
		}
		for _, want := range []string{
			`href="/dev/mail/` + names[1] + `"`, `href="/dev/mail/` + names[0] + `"`,
			"josé@example.com", "old@example.com", "2026-03-01 12:30:00 UTC", "2 messages",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("list lacks %q:\n%s", want, body)
			}
		}
	}
}

func TestInbox_EmptyOrMissingFolder(t *testing.T) {
	h := NewInbox(filepath.Join(t.TempDir(), "not-yet"))
	res, body := get(t, h, "/dev/mail")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="empty"`) {
		t.Errorf("missing folder: %d\n%s", res.StatusCode, body)
	}
}

func TestInbox_ShowsOneMessage(t *testing.T) {
	m := spanishMessage(t)
	h, names := inboxWith(t, m)
	res, body := get(t, h, "/dev/mail/"+names[0])
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d:\n%s", res.StatusCode, body)
	}
	for _, want := range []string{
		`<h1 id="subject">Activa tu cuenta</h1>`,
		`<dd id="to">josé@example.com</dd>`,
		"Sun, 01 Mar 2026 12:30:00 &#43;0000",
		"&lt;outbox.42.",
		// The link in the text part is clickable, and the text is decoded.
		`<a href="http://127.0.0.1:8080/activate?token=s3cr3t">http://127.0.0.1:8080/activate?token=s3cr3t</a>`,
		"Se te pedirá la contraseña que elegiste al crear la cuenta.",
		// The HTML part is escaped into a sandboxed srcdoc.
		`sandbox=""`, `srcdoc="&lt;!DOCTYPE html&gt;`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("page has a script")
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP = %q", csp)
	}
}

func TestInbox_EscapesHostileMessage(t *testing.T) {
	m := &domain.Message{
		To:      "ana@example.com",
		Subject: `<img src=x onerror=alert(1)>`,
		Text:    "see <b>this</b> http://evil.test/\"onmouseover=alert(1) and javascript:alert(2)\n",
		HTML:    `<p>hi</p><script>alert(3)</script>"><iframe src=x>`,
	}
	h, names := inboxWith(t, m)
	_, body := get(t, h, "/dev/mail/"+names[0])
	for _, bad := range []string{"<img src=x", "<b>this</b>", "<script>", `"onmouseover`, `href="javascript:`, `"><iframe src=x>`} {
		if strings.Contains(body, bad) {
			t.Errorf("page carries %q unescaped:\n%s", bad, body)
		}
	}
	_, list := get(t, h, "/dev/mail")
	if strings.Contains(list, "<img src=x") {
		t.Errorf("list carries the subject unescaped")
	}
}

func TestInbox_Raw(t *testing.T) {
	h, names := inboxWith(t, spanishMessage(t))
	res, body := get(t, h, "/dev/mail/"+names[0]+"/raw")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "Subject: Activa tu cuenta") || !strings.Contains(body, "multipart/alternative") {
		t.Errorf("raw body:\n%s", body)
	}
}

func TestInbox_RefusesBadNames(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A file beside the folder that a traversal would reach.
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.eml"), []byte("Subject: x\r\n\r\nx"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(filepath.Join(filepath.Dir(dir), "outside.eml")) })
	h := NewInbox(dir)
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/dev/mail/secret.txt", http.StatusBadRequest},
		{"/dev/mail/..%2Foutside.eml", http.StatusBadRequest},
		{"/dev/mail/..%5Coutside.eml", http.StatusBadRequest},
		{"/dev/mail/.writing-1.eml", http.StatusBadRequest},
		{"/dev/mail/secret.txt/raw", http.StatusBadRequest},
		{"/dev/mail/..%2Foutside.eml/raw", http.StatusBadRequest},
		{"/dev/mail/missing.eml", http.StatusNotFound},
		{"/dev/mail/missing.eml/raw", http.StatusNotFound},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res, body := get(t, h, tt.path)
			if res.StatusCode != tt.want {
				t.Errorf("status %d, want %d: %s", res.StatusCode, tt.want, body)
			}
		})
	}
	// The mux cleans a plain ../ away with a redirect; it never serves it.
	res, _ := get(t, h, "/dev/mail/../outside.eml")
	if res.StatusCode == http.StatusOK {
		t.Error("served a file outside the folder")
	}
}

func TestInbox_OnlyGET(t *testing.T) {
	h, names := inboxWith(t, spanishMessage(t))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dev/mail/"+names[0], nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", rec.Code)
	}
}

func TestLinkify(t *testing.T) {
	got := linkify("Open https://a.test/x?y=1. Or (http://b.test/z), then stop")
	want := []textSegment{
		{Text: "Open "}, {URL: "https://a.test/x?y=1"}, {Text: ". Or ("},
		{URL: "http://b.test/z"}, {Text: "), then stop"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
