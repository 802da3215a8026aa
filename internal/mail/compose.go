package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	netmail "net/mail"
	"slices"
	"strings"
	texttemplate "text/template"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// languages are the languages every email exists in. The first is the
// fallback for any other language asked for.
var languages = []string{"en", "es"}

//go:embed templates
var templateFS embed.FS

// subjectPrefix starts the first line of every .txt template.
const subjectPrefix = "Subject: "

// Composer renders emails from the templates embedded in the binary. Each
// template exists as NAME.LANG.txt (first line "Subject: ...", then the
// text part) and NAME.LANG.html for every language in languages. They are
// parsed once, in NewComposer; a Composer is safe for concurrent use.
type Composer struct {
	sender    string // product name that signs every email
	templates map[templateKey]*parsedTemplate
}

type templateKey struct{ name, lang string }

type parsedTemplate struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// NewComposer parses the embedded templates. from is the From address of
// the emails (config MailFrom); its display name, or "EntryKeyID" when it
// has none, signs them. The templates are part of the binary and a test
// renders every one of them, so a template that does not parse, or a name
// missing in one language, is a programming error: NewComposer panics.
func NewComposer(from string) *Composer {
	c, err := newComposer(templateFS, from)
	if err != nil {
		panic(err)
	}
	return c
}

func newComposer(fsys fs.FS, from string) (*Composer, error) {
	c := &Composer{sender: "EntryKeyID", templates: map[templateKey]*parsedTemplate{}}
	if a, err := netmail.ParseAddress(from); err == nil && a.Name != "" {
		c.sender = a.Name
	}
	files, err := fs.ReadDir(fsys, "templates")
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, f := range files {
		parts := strings.Split(f.Name(), ".")
		if len(parts) != 3 || !slices.Contains(languages, parts[1]) || (parts[2] != "txt" && parts[2] != "html") {
			return nil, fmt.Errorf("mail: template file %s: want NAME.LANG.txt or NAME.LANG.html, LANG one of %v", f.Name(), languages)
		}
		names[parts[0]] = true
	}
	for name := range names {
		for _, lang := range languages {
			p, err := parseTemplate(fsys, name, lang)
			if err != nil {
				return nil, err
			}
			c.templates[templateKey{name, lang}] = p
		}
	}
	return c, nil
}

func parseTemplate(fsys fs.FS, name, lang string) (*parsedTemplate, error) {
	base := "templates/" + name + "." + lang
	txt, err := fs.ReadFile(fsys, base+".txt")
	if err != nil {
		return nil, fmt.Errorf("mail: template %s.%s: %w", name, lang, err)
	}
	htm, err := fs.ReadFile(fsys, base+".html")
	if err != nil {
		return nil, fmt.Errorf("mail: template %s.%s: %w", name, lang, err)
	}
	first, body, _ := strings.Cut(string(txt), "\n")
	if !strings.HasPrefix(first, subjectPrefix) {
		return nil, fmt.Errorf("mail: template %s.txt: first line must start with %q", base, subjectPrefix)
	}
	p := &parsedTemplate{}
	if p.subject, err = newText(base+".subject", strings.TrimPrefix(first, subjectPrefix)); err != nil {
		return nil, err
	}
	if p.text, err = newText(base+".txt", body); err != nil {
		return nil, err
	}
	p.html, err = htmltemplate.New(base + ".html").Option("missingkey=error").Funcs(htmltemplate.FuncMap(funcs)).Parse(string(htm))
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return p, nil
}

func newText(name, src string) (*texttemplate.Template, error) {
	t, err := texttemplate.New(name).Option("missingkey=error").Funcs(funcs).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return t, nil
}

// funcs are the helpers templates may call.
var funcs = texttemplate.FuncMap{
	// one reports whether a count is exactly 1, to pick singular or plural.
	"one": func(n any) bool { return fmt.Sprint(n) == "1" },
}

// Compose renders the template name in lang (a tag such as "es" or
// "es-MX"; any language without templates gets English) for the address
// to. data holds the template's fields ("activate": Name, Link,
// ExpiresDays; "account_exists": Name, LoginLink); a field the template
// uses but data lacks is an error, as is an unknown template name or an
// address that does not parse. The message has To, Subject, Text and HTML
// set and nothing else.
func (c *Composer) Compose(to, lang, name string, data map[string]any) (*domain.Message, error) {
	if _, err := netmail.ParseAddress(to); err != nil {
		return nil, fmt.Errorf("mail: compose %s: recipient is not an address: %w", name, err)
	}
	p, ok := c.templates[templateKey{name, baseLanguage(lang)}]
	if !ok {
		return nil, fmt.Errorf("mail: compose: no template %q", name)
	}
	vars := make(map[string]any, len(data)+1)
	vars["Sender"] = c.sender
	for k, v := range data {
		vars[k] = v
	}
	var subject, text, html bytes.Buffer
	if err := p.subject.Execute(&subject, vars); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", name, err)
	}
	if strings.ContainsAny(subject.String(), "\r\n") {
		return nil, fmt.Errorf("mail: compose %s: subject has a line break", name)
	}
	if err := p.text.Execute(&text, vars); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", name, err)
	}
	if err := p.html.Execute(&html, vars); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", name, err)
	}
	return &domain.Message{
		To:      to,
		Subject: strings.TrimSpace(subject.String()),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}, nil
}

// baseLanguage reduces a language tag to one of languages: "es-MX" and
// "ES" give "es"; anything unknown gives the first, English.
func baseLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	if slices.Contains(languages, base) {
		return base
	}
	return languages[0]
}
