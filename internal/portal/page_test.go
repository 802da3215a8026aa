package portal

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// bare is a portal that serves its pages without a provider: enough for
// what is shown to a person who is not signed in.
func bare() *Portal {
	return &Portal{
		cfg: Config{Kind: "member", Title: "Member portal", BaseURL: "http://127.0.0.1:8081",
			Others: []Link{{Title: "Provider portal", URL: "http://127.0.0.1:8082"}}},
		log:      slog.New(slog.DiscardHandler),
		logins:   map[string]*login{},
		sessions: map[string]*session{},
	}
}

// serve runs one request through the portal's handler.
func serve(p *Portal, r *http.Request) (*http.Response, string) {
	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, r)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestPortalPagesAreFullySpanish(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "es-ES,es;q=0.9")
	_, body := serve(bare(), r)
	for _, want := range []string{
		`<html lang="es">`, "<title>Portal de miembros</title>", "<h1>Portal de miembros</h1>",
		"No has iniciado sesión.", "Iniciar sesión con EntryKeyID", ">Abrir el Portal de proveedores</a>",
		`<label for="lang">Idioma</label>`, ">Cambiar</button>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the Spanish page lacks %q:\n%s", want, body)
		}
	}
	for _, english := range []string{"Member portal", "Provider portal", "Open the", "Sign in"} {
		if strings.Contains(body, english) {
			t.Errorf("the Spanish page still says %q", english)
		}
	}
	// English, by default.
	_, body = serve(bare(), httptest.NewRequest("GET", "/", nil))
	for _, want := range []string{"<h1>Member portal</h1>", ">Open the Provider portal</a>", `<label for="lang">Language</label>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
}

func TestTitlesFromConfigBeatTheKnownOnes(t *testing.T) {
	p := bare()
	p.cfg.Title, p.cfg.Titles = "Broker portal", map[string]string{"es": "Portal de corredores"}
	p.cfg.Others = []Link{{Title: "Client portal", URL: "http://x"}} // no Spanish known: stays as given
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: langCookie, Value: "es"})
	_, body := serve(p, r)
	if !strings.Contains(body, "<h1>Portal de corredores</h1>") || !strings.Contains(body, ">Abrir el Client portal</a>") {
		t.Errorf("titles:\n%s", body)
	}
}

func TestLanguageSelectorWorksWithoutJavaScriptAndIsRemembered(t *testing.T) {
	_, body := serve(bare(), httptest.NewRequest("GET", "/", nil))
	form := regexp.MustCompile(`(?s)<form class="lang" method="get" action="/lang">.*?</form>`).FindString(body)
	if form == "" || !strings.Contains(form, `<select id="lang" name="l">`) || !strings.Contains(form, `<button type="submit"`) ||
		!strings.Contains(form, `<option value="es" lang="es">Español</option>`) {
		t.Fatalf("no GET language form with a select and a submit button:\n%s", body)
	}
	if strings.Contains(body, "<script") {
		t.Errorf("the portal page has a script")
	}

	res, _ := serve(bare(), httptest.NewRequest("GET", "/lang?l=es", nil))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("GET /lang?l=es = %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	var chosen *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == langCookie {
			chosen = c
		}
	}
	if chosen == nil || chosen.Value != "es" || chosen.MaxAge < 300*24*3600 || !chosen.HttpOnly {
		t.Fatalf("language cookie %+v, want es for a year", chosen)
	}
	// The choice beats the browser's language and the account's.
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "en-US")
	r.AddCookie(chosen)
	if _, body := serve(bare(), r); !strings.Contains(body, `<html lang="es">`) {
		t.Errorf("the chosen language was not kept:\n%s", body)
	}
	if got := pageLanguage(r, "en"); got != "es" {
		t.Errorf("chosen es, account en: %s", got)
	}
	r.Header.Del("Cookie")
	if got := pageLanguage(r, "es"); got != "es" {
		t.Errorf("no choice, account es, browser en: %s", got)
	}

	// An unknown language changes nothing.
	res, _ = serve(bare(), httptest.NewRequest("GET", "/lang?l=xx", nil))
	if len(res.Cookies()) != 0 || res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /lang?l=xx: %d, cookies %v", res.StatusCode, res.Cookies())
	}
}

func TestErrorPagesSpeakThePageLanguage(t *testing.T) {
	r := httptest.NewRequest("GET", "/callback?state=forged", nil)
	r.AddCookie(&http.Cookie{Name: langCookie, Value: "es"})
	res, body := serve(bare(), r)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Este inicio de sesión no empezó aquí") ||
		!strings.Contains(body, "Problema al iniciar sesión") {
		t.Errorf("forged callback in Spanish: %d\n%s", res.StatusCode, body)
	}
}

func TestSessionCookieEndsWithTheBrowserAndTheSessionStillExpires(t *testing.T) {
	p := bare()
	rec := httptest.NewRecorder()
	p.setCookie(rec, p.sessionCookie(), "v", "/", 0)
	if h := rec.Header().Get("Set-Cookie"); strings.Contains(h, "Max-Age") || strings.Contains(h, "Expires") || !strings.Contains(h, "HttpOnly") {
		t.Errorf("session cookie %q, want HttpOnly without Max-Age or Expires", h)
	}

	// A session older than SessionTimeout is over, whatever the browser
	// sends.
	p.sessions["old"] = &session{name: "Ana", signedIn: time.Now().Add(-SessionTimeout - time.Second)}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: p.sessionCookie(), Value: "old"})
	_, body := serve(p, r)
	if !strings.Contains(body, `data-screen="portal-signed-out"`) || p.Sessions() != 0 {
		t.Errorf("an expired session still counts (%d sessions):\n%s", p.Sessions(), body)
	}
}

func TestButtonsTakeThePageFont(t *testing.T) {
	res, body := serve(bare(), httptest.NewRequest("GET", "/style.css", nil))
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.StatusCode)
	}
	rule := regexp.MustCompile(`a\.button,button\{[^}]*\}`).FindString(body)
	if !strings.Contains(rule, "font:inherit") {
		t.Errorf("buttons do not inherit the page font: %q", rule)
	}
}
