package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func signupValues(email string) url.Values {
	return url.Values{
		"email": {email}, "first_name": {"Ana"}, "last_name": {"Pérez"}, "language": {"es"},
		"password": {goodPassword}, "confirm_password": {goodPassword},
	}
}

func TestACC2_SignupSendsActivationAndShowsCheckEmail(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.get("/signup").wantStatus(t, 200).wantScreen(t, "signup").wantBody(t,
		`name="email"`, `name="first_name"`, `name="last_name"`, `name="language"`,
		`name="password"`, `name="confirm_password"`, `id="submit"`, `autocomplete="new-password"`)
	r := b.post("/signup", signupValues("ana@example.test")).wantStatus(t, 200).wantScreen(t, "check-email")
	r.wantBody(t, "ana@example.test", `id="resend"`, "expires in 7 days")
	if strings.Contains(r.body, goodPassword) {
		t.Fatal("the password was printed back")
	}
	a, err := e.acc.Lookup(context.Background(), "ana@example.test")
	if err != nil || a.Status != domain.StatusPending || a.Language != "es" {
		t.Fatalf("account: %+v, %v", a, err)
	}
}

// TestACC2_ExistingAddressLooksTheSame: signing up with a taken address
// shows the same screen (the owner is emailed instead).
func TestACC2_ExistingAddressLooksTheSame(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	r := e.browser().post("/signup", signupValues("ANA@example.test")).wantStatus(t, 200).wantScreen(t, "check-email")
	r.wantBody(t, "ANA@example.test")
}

// TestACC2_ActivationLinkUsesIssuer: the emailed link is built from the
// configured issuer even when the request named another Host and
// X-Forwarded-Host. The message is read back from the store's outbox.
func TestACC2_ActivationLinkUsesIssuer(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	form := signupValues("ana@example.test")
	form.Set(csrfField, b.csrf())
	req := httptest.NewRequest(http.MethodPost, "http://evil.example/signup", strings.NewReader(form.Encode()))
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Host", "forwarded.evil.example")
	req.Header.Set("X-Forwarded-Proto", "http")
	req.Header.Set("Origin", issuer)
	b.do(req).wantStatus(t, 200).wantScreen(t, "check-email").wantBody(t, `action="`+issuer+`/activate/resend"`)

	msgs, err := e.store.ClaimMessages(context.Background(), e.clock.Now(), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the outbox, want 1", len(msgs))
	}
	if !strings.HasPrefix(msgs[0].Text, issuer+"/activate?token=") {
		t.Fatalf("activation link %q does not start with the issuer", msgs[0].Text)
	}
	if strings.Contains(msgs[0].Text+msgs[0].HTML, "evil") {
		t.Fatal("the request's host leaked into the email")
	}
}

// TestACC2_GetActivateDoesNotUseLink: GET shows the password form and
// changes nothing; the POST with the sign-up's password activates; the
// link then is spent.
func TestACC2_GetActivateDoesNotUseLink(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.post("/signup", signupValues("ana@example.test")).wantStatus(t, 200)
	link := e.mail.lastLink(t, "ana@example.test", "activate")
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	path := "/activate?token=" + url.QueryEscape(token)

	for range 3 {
		b.get(path).wantStatus(t, 200).wantScreen(t, "activate").
			wantBody(t, `action="`+issuer+`/activate"`, `name="token" value="`+token+`"`, `id="submit"`)
	}
	a, _ := e.acc.Lookup(context.Background(), "ana@example.test")
	if a.Status != domain.StatusPending {
		t.Fatalf("GET /activate changed the account to %s", a.Status)
	}

	fresh := e.browser() // the link opened in another browser than the sign-up
	r := fresh.post("/activate", url.Values{"token": {token}, "password": {goodPassword}}).wantStatus(t, http.StatusSeeOther)
	if r.Header.Get("Location") != issuer+"/activated" {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
	if c := r.setCookie(langCookie); c == nil || c.Value != "es" {
		t.Errorf("language cookie after activation: %+v", c)
	}
	fresh.get("/activated").wantStatus(t, 200).wantScreen(t, "activated").
		wantBody(t, "Inicia sesión para registrar tu plan", `href="`+issuer+`/login"`)
	a, _ = e.acc.Lookup(context.Background(), "ana@example.test")
	if a.Status != domain.StatusActive {
		t.Fatalf("POST /activate left the account %s", a.Status)
	}

	fresh.post("/activate", url.Values{"token": {token}, "password": {goodPassword}}).wantStatus(t, http.StatusBadRequest).
		wantScreen(t, "activate").wantBody(t, `id="error"`, "Este enlace no es válido.")
}

func TestACC2_ActivateWithoutToken(t *testing.T) {
	e := newEnv(t)
	e.browser().get("/activate").wantStatus(t, http.StatusBadRequest).wantScreen(t, "activate").
		wantBody(t, "This link is not valid.")
	e.browser().post("/activate", url.Values{"token": {"made-up"}}).wantStatus(t, http.StatusBadRequest).
		wantScreen(t, "activate")
}

func TestACC2_SignupFieldErrorsInSpanish(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.get("/signup?lang=es")
	form := url.Values{
		"email": {"no-es-un-correo"}, "first_name": {""}, "last_name": {"Pérez"}, "language": {"fr"},
		"password": {"corta"}, "confirm_password": {"otra"},
	}
	r := b.post("/signup", form).wantStatus(t, http.StatusUnprocessableEntity).wantScreen(t, "signup")
	r.wantBody(t,
		`<html lang="es">`, `id="error" class="error-summary" role="alert"`, "Hay un problema",
		`<a href="#email">Correo electrónico: Escribe un correo electrónico como nombre@ejemplo.com.</a>`,
		`<p class="field-error" id="email-error">Escribe un correo electrónico como nombre@ejemplo.com.</p>`,
		`aria-describedby="email-hint email-error"`,
		`<a href="#first_name">Nombre: Escribe tu nombre.</a>`,
		`<p class="field-error" id="first_name-error">Escribe tu nombre.</p>`,
		`<a href="#language">Idioma preferido: Elige inglés o español.</a>`,
		`<p class="field-error" id="confirm_password-error">Las contraseñas no coinciden.</p>`,
		`Tu contraseña debe tener al menos 8 caracteres.`,
		`value="no-es-un-correo"`, `value="Pérez"`,
	)
	if strings.Contains(r.body, `value="corta"`) {
		t.Fatal("the password was printed back")
	}
	// The summary lists the fields in the form's order.
	if strings.Index(r.body, `href="#email"`) > strings.Index(r.body, `href="#confirm_password"`) {
		t.Error("error summary out of form order")
	}
	if n, _ := e.store.CountAccounts(context.Background()); n != 0 {
		t.Fatalf("%d accounts written from a bad form", n)
	}
}
