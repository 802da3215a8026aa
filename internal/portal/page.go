package portal

import (
	"html/template"
	"log/slog"
	"net/http"
)

// pageData is what the page template shows.
type pageData struct {
	Lang     string
	T        map[string]string
	Title    string // the portal's name in Lang
	Kind     string
	SignedIn bool
	Name     string
	Email    string
	CSRF     string
	Others   []otherLink
	Error    string
}

// otherLink is a link to another portal, labelled in the page language.
type otherLink struct {
	URL   string
	Label string // "Open the Provider portal"
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
<header>
<form class="lang" method="get" action="/lang">
<label for="lang">{{index .T "language"}}</label>
<select id="lang" name="l">
<option value="en" lang="en"{{if eq .Lang "en"}} selected{{end}}>English</option>
<option value="es" lang="es"{{if eq .Lang "es"}} selected{{end}}>Español</option>
</select>
<button type="submit" class="secondary">{{index .T "languageChange"}}</button>
</form>
</header>
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
<p><a class="other-portal" href="{{.URL}}/login">{{.Label}}</a></p>
{{- end}}
</main>
</body>
</html>
`))

// home shows who is signed in, or the sign-in button.
func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	d := pageData{Lang: pageLanguage(r, "")}
	if key, s := p.currentSession(r); s != nil {
		if p.check(r.Context(), s) {
			p.mu.Lock()
			d.SignedIn, d.Name, d.Email, d.CSRF = true, s.name, s.email, s.csrf
			d.Lang = pageLanguage(r, s.lang)
			p.mu.Unlock()
		} else {
			p.endSession(w, key)
		}
	}
	p.render(w, http.StatusOK, d)
}

// fail shows an error page with a way back: the label key's message in
// the page language, formatted with args.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	lang := pageLanguage(r, "")
	p.render(w, status, pageData{Lang: lang, Error: label(lang, key, args...)})
}

// render fills in what every page has (the portal's name and the links to
// the others, in d.Lang) and writes the page.
func (p *Portal) render(w http.ResponseWriter, status int, d pageData) {
	if !supported(d.Lang) {
		d.Lang = "en"
	}
	d.T, d.Kind = labels[d.Lang], p.cfg.Kind
	d.Title = titleIn(d.Lang, p.cfg.Title, p.cfg.Titles)
	if d.Error == "" {
		for _, o := range p.cfg.Others {
			d.Others = append(d.Others, otherLink{URL: o.URL, Label: label(d.Lang, "open", titleIn(d.Lang, o.Title, o.Titles))})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := page.Execute(w, d); err != nil {
		p.log.Warn("render failed", slog.String("error", err.Error()))
	}
}

// css styles the portal pages. Buttons take the page's font (browsers
// give them their own otherwise), so that "Sign out" looks like the
// other buttons and links styled as buttons.
const css = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
header{display:flex;justify-content:flex-end}
.lang{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;font-size:.9rem}
.lang select{font:inherit;padding:.3rem .4rem}
body.member h1{color:#0b5394}body.provider h1{color:#38761d}
a.button,button{display:inline-block;padding:.6rem 1.2rem;border:2px solid #0b5394;border-radius:.3rem;background:#0b5394;color:#fff;font:inherit;font-size:1rem;line-height:1.5;text-decoration:none;cursor:pointer}
body.provider a.button,body.provider button{background:#38761d;border-color:#38761d}
.lang button{padding:.3rem .8rem;font-size:.9rem}
button.secondary{background:#fff;color:#0b5394}
body.provider button.secondary{background:#fff;color:#38761d}
#error{color:#a61b1b}
`

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write([]byte(css))
}
