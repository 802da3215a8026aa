package web

import (
	"net/http"
	"testing"
	"time"
)

func TestI18N1_LanguageChoice(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("es@example.test", "es")
	tests := []struct {
		name   string
		setup  func(b *browser)
		path   string
		want   string
		cookie bool // the response remembers the choice
	}{
		{"default", func(b *browser) {}, "/login", "en", false},
		{"Accept-Language", func(b *browser) { b.header.Set("Accept-Language", "es-MX,es;q=0.9") }, "/login", "es", false},
		{"unsupported Accept-Language", func(b *browser) { b.header.Set("Accept-Language", "fr") }, "/login", "en", false},
		{"query wins over header", func(b *browser) { b.header.Set("Accept-Language", "es") }, "/login?lang=en", "en", true},
		{"query", func(b *browser) {}, "/help?lang=es", "es", true},
		{"cookie", func(b *browser) { b.cookies[langCookie] = &http.Cookie{Name: langCookie, Value: "es"} }, "/help", "es", false},
		{"cookie wins over header", func(b *browser) {
			b.cookies[langCookie] = &http.Cookie{Name: langCookie, Value: "en"}
			b.header.Set("Accept-Language", "es")
		}, "/help", "en", false},
		{"account language wins over header", func(b *browser) {
			b.signIn("es@example.test", goodPassword, "", false)
			b.header.Set("Accept-Language", "en")
		}, "/account", "es", false},
		{"unsupported query ignored", func(b *browser) {}, "/help?lang=xx", "en", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			tt.setup(b)
			r := b.get(tt.path).wantStatus(t, 200)
			r.wantBody(t, `<html lang="`+tt.want+`">`, `<option value="`+tt.want+`" lang="`+tt.want+`" selected>`)
			if r.Header.Get("Content-Language") != tt.want {
				t.Errorf("Content-Language %q", r.Header.Get("Content-Language"))
			}
			if c := r.setCookie(langCookie); (c != nil) != tt.cookie {
				t.Errorf("language cookie set: %v, want %v", c != nil, tt.cookie)
			}
		})
	}
}

func TestI18N1_SelectorRemembersForAYear(t *testing.T) {
	e := newEnv(t)
	e.authRequest("ar1", nil, nil)
	b := e.browser()
	page := b.get("/login?authRequestID=ar1")
	page.wantBody(t, `action="`+issuer+`/lang"`, `name="next" value="/login?authRequestID=ar1"`, `<button type="submit" class="secondary">Change</button>`)

	r := b.get("/lang?l=es&next=%2Flogin%3FauthRequestID%3Dar1").wantStatus(t, http.StatusSeeOther)
	if r.Header.Get("Location") != issuer+"/login?authRequestID=ar1" {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
	c := r.setCookie(langCookie)
	if c == nil || c.Value != "es" || c.MaxAge != int((365*24*time.Hour).Seconds()) || !c.HttpOnly {
		t.Fatalf("language cookie %+v", c)
	}
	b.get("/login?authRequestID=ar1").wantBody(t, `<html lang="es">`, "Siguiente", "Crear una cuenta nueva")
}

func TestI18N1_SelectorRefusesOpenRedirect(t *testing.T) {
	e := newEnv(t)
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", ""} {
		t.Run(next, func(t *testing.T) {
			r := e.browser().get("/lang?l=es&next="+next).wantStatus(t, http.StatusSeeOther)
			if r.Header.Get("Location") != issuer+"/login" {
				t.Fatalf("next %q went to %q", next, r.Header.Get("Location"))
			}
		})
	}
}

func TestI18N1_ErrorPagesInUsersLanguage(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.header.Set("Accept-Language", "es")
	b.get("/no-existe").wantStatus(t, 404).wantBody(t, `<html lang="es">`, "No encontramos la página")
}
