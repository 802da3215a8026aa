package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

// layoutFile holds the base layout and the partials every screen shares.
const layoutFile = "layout.html"

// views holds one parsed template set per screen, keyed by the screen
// name: the file name without ".html", with "_" written "-" (check_email.html
// is "check-email"). The name is also the data-screen of its <main>.
type views struct {
	byScreen map[string]*template.Template
}

var (
	// keyLiteral finds quoted message keys in templates: lower-case words
	// joined by dots ("identify.submit"). Paths ("/login") and field names
	// ("email") have no dot and are not keys.
	keyLiteral = regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)
	// fieldCall finds .Field "name" calls, whose label key is field.<name>.
	fieldCall = regexp.MustCompile(`\.Field\s+"([a-z_]+)"`)
)

// parseViews parses every screen with the layout, once, and checks that
// every message key the templates name exists in every language.
func parseViews(cat *i18n.Catalog) (*views, error) {
	layout, err := templateFiles.ReadFile("templates/" + layoutFile)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{byScreen: make(map[string]*template.Template)}
	used := map[string]bool{}
	collect := func(src []byte) {
		for _, m := range keyLiteral.FindAllSubmatch(src, -1) {
			used[string(m[1])] = true
		}
		for _, m := range fieldCall.FindAllSubmatch(src, -1) {
			used["field."+string(m[1])] = true
		}
	}
	collect(layout)
	for _, name := range names {
		file := strings.TrimPrefix(name, "templates/")
		if file == layoutFile {
			continue
		}
		src, err := templateFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		collect(src)
		t, err := template.New(file).Parse(string(layout))
		if err == nil {
			_, err = t.Parse(string(src))
		}
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", file, err)
		}
		for _, block := range []string{"base", "title", "content"} {
			if t.Lookup(block) == nil {
				return nil, fmt.Errorf("template %s: no %q block", file, block)
			}
		}
		screen := strings.ReplaceAll(strings.TrimSuffix(file, ".html"), "_", "-")
		v.byScreen[screen] = t
	}
	for _, screen := range screens {
		if v.byScreen[screen] == nil {
			return nil, fmt.Errorf("no template for screen %q", screen)
		}
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if missing := cat.Missing(keys...); len(missing) > 0 {
		return nil, fmt.Errorf("message keys used in templates missing from a catalog: %v", missing)
	}
	return v, nil
}

// render executes the screen's template into a buffer, so that a failing
// template never sends half a page.
func (v *views) render(screen string, p *page) ([]byte, error) {
	t := v.byScreen[screen]
	if t == nil {
		return nil, fmt.Errorf("no template for screen %q", screen)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		return nil, fmt.Errorf("render %s: %w", screen, err)
	}
	return buf.Bytes(), nil
}

// screens lists every screen the handlers render; parseViews checks each
// has a template.
var screens = []string{
	"identify", "password", "signup", "check-email", "activate", "activated",
	"logout", "signed-out", "account", "help", "privacy", "terms", "contact",
	"trouble", "error",
}
