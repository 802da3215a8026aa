package oidc

import (
	"html/template"
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// errorPage is what a browser sees when a sign-in request cannot go back
// to the portal: the client or redirect URI is not valid, or the request
// is unknown, expired, already used or belongs to another browser. It
// says what to do and never shows why in detail; the detail is logged.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body>
<main id="main" data-screen="error">
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
</main>
</body>
</html>
`))

type errorText struct{ Lang, Title, Text string }

var errorTexts = map[string]errorText{
	"en": {"en", "This sign-in cannot continue",
		"The sign-in link is not valid, has expired or was opened in another browser. " +
			"Go back to the site you came from and sign in again."},
	"es": {"es", "Este inicio de sesión no puede continuar",
		"El enlace de inicio de sesión no es válido, ha caducado o se abrió en otro navegador. " +
			"Vuelve al sitio del que venías e inicia sesión de nuevo."},
}

var pageLanguages = language.NewMatcher([]language.Tag{language.English, language.Spanish})

// writeErrorPage answers with the error page, in English or Spanish as
// the browser prefers, and the status.
func writeErrorPage(w http.ResponseWriter, r *http.Request, status int) {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := pageLanguages.Match(tags...)
	text := errorTexts["en"]
	if i == 1 {
		text = errorTexts["es"]
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = errorPage.Execute(w, text)
}

// pageOnError stands between the library and the browser on the
// browser-facing endpoints. When the library answers an error in plain
// text (its http.Error, which can carry internal detail such as a parse
// error), the browser gets the error page with the same status instead.
// Redirects and every other answer pass through.
type pageOnError struct {
	http.ResponseWriter
	r        *http.Request
	swallow  bool
	answered bool
}

func (w *pageOnError) WriteHeader(status int) {
	if w.answered {
		return
	}
	w.answered = true
	if status >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.swallow = true
		writeErrorPage(w.ResponseWriter, w.r, status)
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *pageOnError) Write(b []byte) (int, error) {
	if !w.answered {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *pageOnError) Unwrap() http.ResponseWriter { return w.ResponseWriter }
