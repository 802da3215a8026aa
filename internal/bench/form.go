package bench

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// htmlForm is one <form> of a hosted screen, as a browser would submit it.
type htmlForm struct {
	Action string
	Method string
	Fields url.Values // every field a browser would send, in order of appearance
	Names  []string   // every named control, submitted or not
	Button []string   // name and value of the main submit button, if it has a name
}

var (
	formRE   = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRE  = regexp.MustCompile(`(?is)<(input|button|textarea|select)\b([^>]*)>`)
	attrRE   = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	screenRE = regexp.MustCompile(`(?is)<main\b[^>]*\bdata-screen\s*=\s*["']([^"']+)["']`)
)

// attrs parses the attributes of one start tag; names are lower-cased and
// values unescaped.
func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(a[1])
		if _, seen := m[name]; seen {
			continue
		}
		m[name] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

// parseForms returns the forms of an HTML page. It reads the markup our
// hosted screens produce; it is not a general HTML parser.
func parseForms(page string) []htmlForm {
	var forms []htmlForm
	for _, fm := range formRE.FindAllStringSubmatch(page, -1) {
		fa := attrs(fm[1])
		f := htmlForm{Action: fa["action"], Method: strings.ToUpper(fa["method"]), Fields: url.Values{}}
		if f.Method == "" {
			f.Method = "GET"
		}
		for _, in := range inputRE.FindAllStringSubmatch(fm[2], -1) {
			tag, a := strings.ToLower(in[1]), attrs(in[2])
			name := a["name"]
			if name == "" {
				continue
			}
			f.Names = append(f.Names, name)
			typ := strings.ToLower(a["type"])
			switch {
			case tag == "button" || typ == "submit" || typ == "button" || typ == "image" || typ == "reset":
				// Only the pressed button is sent: the main one (SPEC id
				// "submit"), else the first submit button.
				if (typ == "" || typ == "submit") && (f.Button == nil || a["id"] == "submit") {
					f.Button = []string{name, a["value"]}
				}
			case (typ == "checkbox" || typ == "radio") && !has(a, "checked"):
			case tag == "input":
				f.Fields.Add(name, a["value"])
			}
		}
		forms = append(forms, f)
	}
	return forms
}

func has(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// find returns the first POST form that has a control named field.
func findForm(forms []htmlForm, field string) (htmlForm, bool) {
	for _, f := range forms {
		if f.Method != "POST" {
			continue
		}
		for _, n := range f.Names {
			if n == field {
				return f, true
			}
		}
	}
	return htmlForm{}, false
}

// screenName returns the data-screen name of the page's <main>, or "".
func screenName(page string) string {
	if m := screenRE.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}
