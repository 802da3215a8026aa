package portal

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	xlanguage "golang.org/x/text/language"
)

// labels holds the portal's few words in English and Spanish.
var labels = map[string]map[string]string{
	"en": {
		"signedOut": "You are not signed in.",
		"signIn":    "Sign in with EntryKeyID",
		"signedIn":  "You are signed in as",
		"signOut":   "Sign out",
		"open":      "Open the",
		"home":      "Back to the portal",
		"error":     "Sign-in problem",
	},
	"es": {
		"signedOut": "No has iniciado sesión.",
		"signIn":    "Iniciar sesión con EntryKeyID",
		"signedIn":  "Has iniciado sesión como",
		"signOut":   "Cerrar sesión",
		"open":      "Abrir el",
		"home":      "Volver al portal",
		"error":     "Problema al iniciar sesión",
	},
}

// localeLanguage is the portal language of an account's locale claim
// (SSO-4), or "" when the claim is absent or names a language the portal
// does not speak. A signed-in person sees the portal in it: the language
// they chose for their account, not their browser's.
func localeLanguage(l *zoidc.Locale) string {
	base, conf := l.Tag().Base() // a nil Locale is the undetermined tag, whose guess is not taken
	if conf != xlanguage.Exact {
		return ""
	}
	if _, ok := labels[base.String()]; ok {
		return base.String()
	}
	return ""
}

// language picks Spanish when the browser prefers it, else English. It
// is the language of a person who is not signed in.
func language(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "es"):
			return "es"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

// pageData is what the page template shows.
type pageData struct {
	Lang     string
	T        map[string]string
	Title    string
	Kind     string
	SignedIn bool
	Name     string
	Email    string
	CSRF     string
	Others   []Link
	Error    string
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body class="{{.Kind}}">
<main data-screen="{{if .Error}}portal-error{{else if .SignedIn}}portal-home{{else}}portal-signed-out{{end}}">
<h1>{{.Title}}</h1>
{{- if .Error}}
<h2>{{index .T "error"}}</h2>
<p id="error" role="alert">{{.Error}}</p>
<p><a href="/">{{index .T "home"}}</a></p>
{{- else if .SignedIn}}
<p>{{index .T "signedIn"}} <strong id="user-name">{{.Name}}</strong> (<span id="user-email">{{.Email}}</span>).</p>
<form method="post" action="/logout">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button id="signout" type="submit">{{index .T "signOut"}}</button>
</form>
{{- else}}
<p>{{index .T "signedOut"}}</p>
<p><a id="signin" class="button" href="/login">{{index .T "signIn"}}</a></p>
{{- end}}
{{- range .Others}}
<p><a class="other-portal" href="{{.URL}}/login">{{index $.T "open"}} {{.Title}}</a></p>
{{- end}}
</main>
</body>
</html>
`))

// home shows who is signed in, or the sign-in button.
func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	d := pageData{Lang: language(r), Title: p.cfg.Title, Kind: p.cfg.Kind, Others: p.cfg.Others}
	if key, s := p.currentSession(r); s != nil {
		if p.check(r.Context(), s) {
			p.mu.Lock()
			d.SignedIn, d.Name, d.Email, d.CSRF, d.Lang = true, s.name, s.email, s.csrf, s.lang
			p.mu.Unlock()
		} else {
			p.endSession(w, key)
		}
	}
	p.render(w, http.StatusOK, d)
}

// fail shows an error page with a way back.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p.render(w, status, pageData{Lang: language(r), Title: p.cfg.Title, Kind: p.cfg.Kind, Error: msg})
}

func (p *Portal) render(w http.ResponseWriter, status int, d pageData) {
	d.T = labels[d.Lang]
	if d.T == nil {
		d.Lang, d.T = "en", labels["en"]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := page.Execute(w, d); err != nil {
		p.log.Warn("render failed", slog.String("error", err.Error()))
	}
}

const css = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
body.member h1{color:#0b5394}body.provider h1{color:#38761d}
a.button,button{display:inline-block;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#0b5394;color:#fff;font-size:1rem;text-decoration:none;cursor:pointer}
body.provider a.button,body.provider button{background:#38761d}
#error{color:#a61b1b}
`

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write([]byte(css))
}
