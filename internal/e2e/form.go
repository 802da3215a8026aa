package e2e

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// Form is one <form> of a hosted screen as a browser without JavaScript
// would submit it: the hidden and preset fields (the CSRF token among
// them) and the action resolved against the page's URL.
type Form struct {
	Action string
	Method string
	Fields url.Values
	Names  []string // every named control
}

var (
	formRE    = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	controlRE = regexp.MustCompile(`(?is)<(input|button|select|textarea)\b([^>]*)>`)
	optionRE  = regexp.MustCompile(`(?is)<option\b([^>]*)>`)
	selectRE  = regexp.MustCompile(`(?is)<select\b([^>]*)>(.*?)</select>`)
	attrRE    = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	screenRE  = regexp.MustCompile(`(?is)<main\b[^>]*\bdata-screen\s*=\s*["']([^"']+)["']`)
	h1RE      = regexp.MustCompile(`(?is)<h1\b[^>]*>(.*?)</h1>`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
)

// attrs parses the attributes of a start tag: names lower-cased, values
// unescaped. The first of a repeated attribute wins, as in HTML.
func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(a[1])
		if _, seen := m[name]; !seen {
			m[name] = html.UnescapeString(a[2] + a[3] + a[4])
		}
	}
	return m
}

// ParseForms returns the forms of page, a hosted screen. It reads the
// markup our screens produce; it is not a general HTML parser.
func ParseForms(page string, base *url.URL) []Form {
	var forms []Form
	for _, fm := range formRE.FindAllStringSubmatch(page, -1) {
		fa := attrs(fm[1])
		f := Form{Method: strings.ToUpper(fa["method"]), Fields: url.Values{}}
		if f.Method == "" {
			f.Method = "GET"
		}
		action, err := base.Parse(fa["action"])
		if err != nil {
			action = base
		}
		f.Action = action.String()
		selected := map[string]string{}
		for _, sm := range selectRE.FindAllStringSubmatch(fm[2], -1) {
			name := attrs(sm[1])["name"]
			first := ""
			for i, om := range optionRE.FindAllStringSubmatch(sm[2], -1) {
				oa := attrs(om[1])
				if i == 0 {
					first = oa["value"]
				}
				if _, ok := oa["selected"]; ok {
					selected[name] = oa["value"]
				}
			}
			if _, ok := selected[name]; !ok {
				selected[name] = first
			}
		}
		for _, c := range controlRE.FindAllStringSubmatch(fm[2], -1) {
			tag, a := strings.ToLower(c[1]), attrs(c[2])
			name := a["name"]
			if name == "" {
				continue
			}
			f.Names = append(f.Names, name)
			typ := strings.ToLower(a["type"])
			_, checked := a["checked"]
			switch {
			case tag == "button" || typ == "submit" || typ == "reset" || typ == "button" || typ == "image":
			case (typ == "checkbox" || typ == "radio") && !checked:
			case tag == "select":
				f.Fields.Add(name, selected[name])
			case tag == "input":
				f.Fields.Add(name, a["value"])
			case tag == "textarea":
				f.Fields.Add(name, "")
			}
		}
		forms = append(forms, f)
	}
	return forms
}

// Has reports whether the form has a control named name.
func (f Form) Has(name string) bool {
	for _, n := range f.Names {
		if n == name {
			return true
		}
	}
	return false
}

// Screen returns the data-screen name of the page's <main>, or "".
func Screen(page string) string {
	if m := screenRE.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// Heading returns the text of the page's first <h1>.
func Heading(page string) string {
	if m := h1RE.FindStringSubmatch(page); m != nil {
		return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(m[1], "")))
	}
	return ""
}
