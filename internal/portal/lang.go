package portal

import (
	"fmt"
	"net/http"
	"strings"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	xlanguage "golang.org/x/text/language"
)

// langCookie remembers the language chosen with a portal's selector, for
// a year. The demo portals share it (browsers send a host's cookies to
// every port), so a choice made in one holds in the others.
const (
	langCookie    = "portal_lang"
	langCookieAge = 365 * 24 * 60 * 60
)

// labels holds every word a portal shows, in English and Spanish. Entries
// with %s are formats.
var labels = map[string]map[string]string{
	"en": {
		"signedOut":      "You are not signed in.",
		"signIn":         "Sign in with EntryKeyID",
		"signedIn":       "You are signed in as",
		"signOut":        "Sign out",
		"open":           "Open the %s",
		"home":           "Back to the portal",
		"error":          "Sign-in problem",
		"language":       "Language",
		"languageChange": "Change",
		"errNotStarted":  "This sign-in was not started here, or took too long. Please try again.",
		"errTooLong":     "This sign-in took too long. Please try again.",
		"errRefused":     "The sign-in did not complete (%s). Please try again.",
		"errExchange":    "The sign-in could not be completed. Please try again.",
		"errForm":        "The form expired. Please go back and try again.",
	},
	"es": {
		"signedOut":      "No has iniciado sesión.",
		"signIn":         "Iniciar sesión con EntryKeyID",
		"signedIn":       "Has iniciado sesión como",
		"signOut":        "Cerrar sesión",
		"open":           "Abrir el %s",
		"home":           "Volver al portal",
		"error":          "Problema al iniciar sesión",
		"language":       "Idioma",
		"languageChange": "Cambiar",
		"errNotStarted":  "Este inicio de sesión no empezó aquí, o tardó demasiado. Inténtalo de nuevo.",
		"errTooLong":     "Este inicio de sesión tardó demasiado. Inténtalo de nuevo.",
		"errRefused":     "El inicio de sesión no se completó (%s). Inténtalo de nuevo.",
		"errExchange":    "No se pudo completar el inicio de sesión. Inténtalo de nuevo.",
		"errForm":        "El formulario caducó. Vuelve atrás e inténtalo de nuevo.",
	},
}

// knownTitles are the other-language names of the demo portals, by their
// English name, for a Config or Link without Titles.
var knownTitles = map[string]map[string]string{
	"Member portal":   {"es": "Portal de miembros"},
	"Provider portal": {"es": "Portal de proveedores"},
}

// titleIn is a portal's name in lang: from titles, else the known names,
// else title itself.
func titleIn(lang, title string, titles map[string]string) string {
	if t := titles[lang]; t != "" {
		return t
	}
	if t := knownTitles[title][lang]; t != "" {
		return t
	}
	return title
}

// label is the label key in lang, formatted with args when it has any.
func label(lang, key string, args ...any) string {
	l, ok := labels[lang][key]
	if !ok {
		l = labels["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(l, args...)
	}
	return l
}

// supported reports whether the portal speaks lang.
func supported(lang string) bool { _, ok := labels[lang]; return ok }

// localeLanguage is the portal language of an account's locale claim
// (SSO-4), or "" when the claim is absent or names a language the portal
// does not speak.
func localeLanguage(l *zoidc.Locale) string {
	base, conf := l.Tag().Base() // a nil Locale is the undetermined tag, whose guess is not taken
	if conf != xlanguage.Exact {
		return ""
	}
	if supported(base.String()) {
		return base.String()
	}
	return ""
}

// language picks Spanish when the browser prefers it, else English.
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

// pageLanguage is the language of a page, first of: the one chosen with
// the selector (its cookie), the signed-in account's (accountLang, from
// the locale claim; "" when nobody is signed in), the browser's.
func pageLanguage(r *http.Request, accountLang string) string {
	if c, err := r.Cookie(langCookie); err == nil && supported(c.Value) {
		return c.Value
	}
	if supported(accountLang) {
		return accountLang
	}
	return language(r)
}

// chooseLanguage serves the language selector (GET /lang?l=es): it
// remembers a supported choice in the language cookie and goes back to
// the portal's page. It works without JavaScript, as a plain form.
func (p *Portal) chooseLanguage(w http.ResponseWriter, r *http.Request) {
	if l := r.URL.Query().Get("l"); supported(l) {
		p.setCookie(w, langCookie, l, "/", langCookieAge)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
