package mail

import (
	"embed"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
)

//go:embed inbox/*.html
var inboxFS embed.FS

// inboxLimit is how many of the newest messages the list shows.
const inboxLimit = 500

// inboxCSP applies to the inbox pages and, by inheritance, to the HTML part
// shown in a srcdoc iframe: inline styles only, no scripts, no remote
// images, nothing loaded from elsewhere.
const inboxCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

type inbox struct {
	dir   string
	pages *template.Template
}

// NewInbox returns the development inbox over the .eml files that a
// FileSender writes into dir:
//
//	GET /dev/mail             the messages, newest first (date, to, subject)
//	GET /dev/mail/{name}      one message: headers, the text part with its
//	                          links clickable, the HTML part in a sandboxed
//	                          iframe (srcdoc, no scripts)
//	GET /dev/mail/{name}/raw  the file as it is, as text/plain
//
// A name with a path separator, starting with a dot or not ending in .eml
// is refused (400); a missing file is 404. It reads dir only, never
// writes, and is meant for development (the server mounts it with --dev):
// the messages hold live activation links, so whoever can open the inbox
// can activate the accounts in it.
func NewInbox(dir string) http.Handler {
	in := &inbox{dir: dir, pages: template.Must(template.ParseFS(inboxFS, "inbox/*.html"))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dev/mail", in.list)
	mux.HandleFunc("GET /dev/mail/{$}", in.list)
	mux.HandleFunc("GET /dev/mail/{name}", in.show)
	mux.HandleFunc("GET /dev/mail/{name}/raw", in.raw)
	return mux
}

type listPage struct {
	Dir       string
	Messages  []*storedMessage
	Truncated bool
}

func (in *inbox) list(w http.ResponseWriter, r *http.Request) {
	entries, err := os.ReadDir(in.dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "cannot read the mail folder", http.StatusInternalServerError)
		return
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && validName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	// FileSender names start with the UTC time, so name order is time order.
	slices.Sort(names)
	slices.Reverse(names)
	page := listPage{Dir: in.dir}
	if len(names) > inboxLimit {
		names, page.Truncated = names[:inboxLimit], true
	}
	for _, name := range names {
		m, err := in.read(name, false)
		if err != nil {
			m = &storedMessage{Subject: "(unreadable: " + err.Error() + ")"}
		}
		m.Name = name
		page.Messages = append(page.Messages, m)
	}
	in.render(w, "list", page)
}

type showPage struct {
	*storedMessage
	Segments []textSegment
}

func (in *inbox) show(w http.ResponseWriter, r *http.Request) {
	name, ok := in.name(w, r)
	if !ok {
		return
	}
	m, err := in.read(name, true)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		http.Error(w, "cannot read the message", http.StatusInternalServerError)
		return
	}
	m.Name = name
	in.render(w, "show", showPage{storedMessage: m, Segments: linkify(m.Text)})
}

func (in *inbox) raw(w http.ResponseWriter, r *http.Request) {
	name, ok := in.name(w, r)
	if !ok {
		return
	}
	f, err := os.OpenInRoot(in.dir, name)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		http.Error(w, "cannot read the message", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	setPageHeaders(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.Copy(w, io.LimitReader(f, maxEMLSize))
}

// name returns the {name} path value if it is a plain .eml file name,
// answering 400 otherwise.
func (in *inbox) name(w http.ResponseWriter, r *http.Request) (string, bool) {
	name := r.PathValue("name")
	if !validName(name) {
		http.Error(w, "not a message file name", http.StatusBadRequest)
		return "", false
	}
	return name, true
}

func validName(name string) bool {
	return strings.HasSuffix(name, ".eml") && !strings.HasPrefix(name, ".") &&
		!strings.ContainsAny(name, "/\\\x00")
}

// read parses the named file, opened through os.Root so that it cannot
// leave dir whatever the name.
func (in *inbox) read(name string, withBody bool) (*storedMessage, error) {
	f, err := os.OpenInRoot(in.dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readEML(f, withBody)
}

func (in *inbox) render(w http.ResponseWriter, page string, data any) {
	var buf strings.Builder
	if err := in.pages.ExecuteTemplate(&buf, page, data); err != nil {
		http.Error(w, "cannot render the page", http.StatusInternalServerError)
		return
	}
	setPageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, buf.String())
}

func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", inboxCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// textSegment is a run of plain text, or a link when URL is set.
type textSegment struct {
	Text string
	URL  string
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// linkify splits text into plain runs and http(s) links, leaving trailing
// sentence punctuation out of the link. The template escapes both.
func linkify(text string) []textSegment {
	var segs []textSegment
	last := 0
	for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		for end > start && strings.ContainsRune(".,;:!?)]", rune(text[end-1])) {
			end--
		}
		if start > last {
			segs = append(segs, textSegment{Text: text[last:start]})
		}
		segs = append(segs, textSegment{URL: text[start:end]})
		last = end
	}
	if last < len(text) {
		segs = append(segs, textSegment{Text: text[last:]})
	}
	return segs
}
