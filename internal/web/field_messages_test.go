package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestACC2_SummaryNamesEachField: every line of the error summary names
// its field and says what to do, in English and Spanish; no line is the
// same generic sentence as another.
func TestACC2_SummaryNamesEachField(t *testing.T) {
	want := map[string][]string{
		"en": {
			`<a href="#email">Email address: Enter your email address.</a>`,
			`<a href="#first_name">First name: Enter your first name.</a>`,
			`<a href="#last_name">Last name: Enter your last name.</a>`,
			`<a href="#language">Preferred language: Choose your preferred language.</a>`,
			`<a href="#password">Password: Create a password.</a>`,
			`<a href="#confirm_password">Confirm password: Enter your password again.</a>`,
			`<p class="field-error" id="first_name-error">Enter your first name.</p>`,
		},
		"es": {
			`<a href="#email">Correo electrónico: Escribe tu correo electrónico.</a>`,
			`<a href="#first_name">Nombre: Escribe tu nombre.</a>`,
			`<a href="#last_name">Apellido: Escribe tu apellido.</a>`,
			`<a href="#language">Idioma preferido: Elige tu idioma preferido.</a>`,
			`<a href="#password">Contraseña: Crea una contraseña.</a>`,
			`<a href="#confirm_password">Confirma la contraseña: Vuelve a escribir tu contraseña.</a>`,
			`<p class="field-error" id="first_name-error">Escribe tu nombre.</p>`,
		},
	}
	for lang, lines := range want {
		t.Run(lang, func(t *testing.T) {
			e := newEnv(t)
			b := e.browser()
			b.get("/signup?lang=" + lang)
			r := b.post("/signup", url.Values{}).wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "signup")
			r.wantBody(t, lines...)
			if strings.Contains(r.body, "Enter this information.") || strings.Contains(r.body, "Completa este dato.") {
				t.Error("a generic message is left")
			}
		})
	}
}

// TestACC2_TooLongNamesTheLimit: a value over the server's limit says the
// limit; the inputs carry it as maxlength.
func TestACC2_TooLongNamesTheLimit(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.header.Set("Accept-Language", "es")
	form := signupValues(strings.Repeat("a", 250) + "@example.test")
	form.Set("first_name", strings.Repeat("n", 101))
	form.Set("last_name", strings.Repeat("ñ", 100)) // at the limit: accepted
	r := b.post("/signup", form).wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "signup")
	r.wantBody(t,
		`<a href="#email">Correo electrónico: Usa como máximo 254 caracteres.</a>`,
		`<a href="#first_name">Nombre: Usa como máximo 100 caracteres.</a>`,
	)
	if strings.Contains(r.body, `href="#last_name"`) {
		t.Error("a last name of exactly 100 characters was refused")
	}

	b.header.Set("Accept-Language", "en")
	b.post("/signup", form).wantBody(t, `<a href="#first_name">First name: Use at most 100 characters.</a>`)
	b.post("/login", url.Values{"username": {strings.Repeat("a", 250) + "@example.test"}}).
		wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "identify").
		wantBody(t, `<a href="#username">Email address: Use at most 254 characters.</a>`)
}

// TestLOGIN1_InputsCarryLimitsAndAutocomplete: every text input has the
// server's limit as maxlength and the autocomplete token password
// managers and browsers expect.
func TestLOGIN1_InputsCarryLimitsAndAutocomplete(t *testing.T) {
	e := newEnv(t)
	e.cfg.Policy.MaxLength = 200
	e = newEnvWith(t, e.cfg)
	b := e.browser()
	b.get("/signup").wantBody(t,
		`name="email" type="email" value="" maxlength="254" autocomplete="email"`,
		`name="first_name" type="text" value="" maxlength="100" autocomplete="given-name"`,
		`name="last_name" type="text" value="" maxlength="100" autocomplete="family-name"`,
		`name="password" type="password" value="" maxlength="200" autocomplete="new-password"`,
		`name="confirm_password" type="password" value="" maxlength="200" autocomplete="new-password"`,
	)
	b.get("/login").wantBody(t, `name="username" type="email" value="" maxlength="254" autocomplete="username"`)
	b.post("/login", url.Values{"username": {"ana@example.test"}}).wantScreen(t, "password").wantBody(t,
		`autocomplete="username" readonly hidden`,
		`name="password" type="password" maxlength="200" autocomplete="current-password"`,
	)
}
