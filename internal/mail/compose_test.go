package mail

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sampleData has every field any template uses.
var sampleData = map[string]map[string]any{
	"activate": {
		"Link":        "http://127.0.0.1:8080/activate?token=abc123",
		"ExpiresDays": 7,
	},
	"account_exists": {
		"LoginLink": "http://127.0.0.1:8080/login",
	},
}

// TestI18N1_EveryTemplateInEveryLanguage proves that each email exists in
// English and Spanish, with subject, text and HTML, and renders.
func TestI18N1_EveryTemplateInEveryLanguage(t *testing.T) {
	c := NewComposer(DefaultFrom)
	var names []string
	for k := range c.templates {
		if !slices.Contains(names, k.name) {
			names = append(names, k.name)
		}
	}
	slices.Sort(names)
	// Every template has sample data, and every sample has a template;
	// files other than this one add their templates' samples in init.
	if want := slices.Sorted(maps.Keys(sampleData)); !slices.Equal(names, want) {
		t.Fatalf("templates = %v, want %v", names, want)
	}
	for _, name := range names {
		data, ok := sampleData[name]
		if !ok {
			t.Fatalf("no sample data for template %q", name)
		}
		for _, lang := range languages {
			t.Run(name+"."+lang, func(t *testing.T) {
				m, err := c.Compose("ana@example.com", lang, name, data)
				if err != nil {
					t.Fatal(err)
				}
				if m.To != "ana@example.com" || m.Subject == "" || m.Text == "" || m.HTML == "" {
					t.Fatalf("incomplete message: %+v", m)
				}
				if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
					t.Errorf("HTML part does not declare lang %q", lang)
				}
				for _, v := range data {
					s, ok := v.(string)
					if ok && strings.HasPrefix(s, "http") {
						if !strings.Contains(m.Text, s) {
							t.Errorf("text part lacks the link %s", s)
						}
						if !strings.Contains(m.HTML, `href="`+strings.ReplaceAll(s, "&", "&amp;")+`"`) ||
							!strings.Contains(m.HTML, ">"+s+"</a>") {
							t.Errorf("HTML part lacks the link %s as href and as visible text", s)
						}
					}
				}
				checkGolden(t, name+"."+lang+".golden", render(m.Subject, m.Text, m.HTML))
			})
		}
	}
}

func render(subject, text, html string) string {
	return "Subject: " + subject + "\n\n----- text/plain -----\n" + text + "\n----- text/html -----\n" + html
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got ---\n%s", path, got)
	}
}

func TestComposer_Subjects(t *testing.T) {
	c := NewComposer(DefaultFrom)
	for _, tt := range []struct{ lang, want string }{
		{"en", "Activate your account"},
		{"es", "Activa tu cuenta"},
		{"es-MX", "Activa tu cuenta"},
		{"ES_us", "Activa tu cuenta"},
		{"fr", "Activate your account"},
		{"", "Activate your account"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			m, err := c.Compose("ana@example.com", tt.lang, "activate", sampleData["activate"])
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.want {
				t.Errorf("subject = %q, want %q", m.Subject, tt.want)
			}
		})
	}
}

func TestComposer_EscapesHTMLNotText(t *testing.T) {
	c := NewComposer(DefaultFrom)
	data := map[string]any{"LoginLink": `javascript:alert("x")<script>`}
	m, err := c.Compose("ana@example.com", "en", "account_exists", data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Errorf("link text not escaped in HTML:\n%s", m.HTML)
	}
	if strings.Contains(m.HTML, `href="javascript:`) {
		t.Errorf("javascript: URL not neutralised in HTML")
	}
	if !strings.Contains(m.Text, `javascript:alert("x")<script>`) {
		t.Errorf("text part should carry the link as given:\n%s", m.Text)
	}
}

// TestM4_EmailsGreetNoOne: names are typed by whoever fills in the
// sign-up form, for an address that may not be theirs, so the emails sent
// to that address never show them, even when given.
func TestM4_EmailsGreetNoOne(t *testing.T) {
	c := NewComposer(DefaultFrom)
	const bait = "Your plan is suspended, call 555 0100"
	for name, data := range sampleData {
		with := map[string]any{"Name": bait, "FirstName": bait}
		for k, v := range data {
			with[k] = v
		}
		for _, lang := range languages {
			m, err := c.Compose("ana@example.com", lang, name, with)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(m.Text, bait) || strings.Contains(m.HTML, bait) || strings.Contains(m.Subject, bait) {
				t.Errorf("%s.%s shows the name", name, lang)
			}
		}
	}
}

func TestComposer_Plural(t *testing.T) {
	c := NewComposer(DefaultFrom)
	for _, tt := range []struct {
		lang string
		days any
		want string
	}{
		{"en", 1, "expires in 1 day."},
		{"en", "7", "expires in 7 days."},
		{"es", int64(1), "vence en 1 día."},
		{"es", 7, "vence en 7 días."},
	} {
		m, err := c.Compose("ana@example.com", tt.lang, "activate",
			map[string]any{"Link": "https://x.test/a", "ExpiresDays": tt.days})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, tt.want) || !strings.Contains(m.HTML, tt.want) {
			t.Errorf("%s %v: want %q in both parts:\n%s", tt.lang, tt.days, tt.want, m.Text)
		}
	}
}

func TestComposer_SenderName(t *testing.T) {
	for _, tt := range []struct{ from, want string }{
		{"Acme Health <no-reply@acme.test>", "The Acme Health team"},
		{"no-reply@acme.test", "The EntryKeyID team"},
	} {
		m, err := NewComposer(tt.from).Compose("ana@example.com", "en", "activate", sampleData["activate"])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, tt.want) {
			t.Errorf("from %q: want %q in:\n%s", tt.from, tt.want, m.Text)
		}
	}
}

func TestComposer_Errors(t *testing.T) {
	c := NewComposer(DefaultFrom)
	for _, tt := range []struct {
		name, to, template string
		data               map[string]any
	}{
		{"unknown template", "ana@example.com", "nope", sampleData["activate"]},
		{"missing field", "ana@example.com", "activate", map[string]any{"ExpiresDays": 7}},
		{"bad recipient", "not an address", "activate", sampleData["activate"]},
		{"header injection", "ana@example.com\r\nBcc: x@evil.test", "activate", sampleData["activate"]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := c.Compose(tt.to, "en", tt.template, tt.data); err == nil {
				t.Fatalf("want an error, got %+v", m)
			}
		})
	}
}

func TestComposer_RefusesIncompleteTemplates(t *testing.T) {
	good := "Subject: Hi\nHello {{.Name}}\n"
	for _, tt := range []struct {
		name  string
		files fstest.MapFS
	}{
		{"missing spanish", fstest.MapFS{
			"templates/a.en.txt":  {Data: []byte(good)},
			"templates/a.en.html": {Data: []byte("<p>{{.Name}}</p>")},
		}},
		{"missing html", fstest.MapFS{
			"templates/a.en.txt": {Data: []byte(good)}, "templates/a.es.txt": {Data: []byte(good)},
			"templates/a.en.html": {Data: []byte("<p>{{.Name}}</p>")},
		}},
		{"no subject line", fstest.MapFS{
			"templates/a.en.txt": {Data: []byte("Hello\n")}, "templates/a.es.txt": {Data: []byte(good)},
			"templates/a.en.html": {Data: []byte("x")}, "templates/a.es.html": {Data: []byte("x")},
		}},
		{"unknown language", fstest.MapFS{
			"templates/a.fr.txt": {Data: []byte(good)},
		}},
		{"bad syntax", fstest.MapFS{
			"templates/a.en.txt": {Data: []byte(good)}, "templates/a.es.txt": {Data: []byte(good)},
			"templates/a.en.html": {Data: []byte("{{.Name")}, "templates/a.es.html": {Data: []byte("x")},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newComposer(tt.files, DefaultFrom); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
