package web

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
)

// The forms of the hosted screens, parsed from r.PostForm (s.post has
// parsed it) apart from the handlers that act on them. Field names are
// SPEC's stable names.

// identifyForm is screen 1 (LOGIN-1).
type identifyForm struct {
	Username      string
	RememberMe    bool
	AuthRequestID string
}

func parseIdentifyForm(r *http.Request) identifyForm {
	return identifyForm{
		Username:      strings.TrimSpace(r.PostForm.Get("username")),
		RememberMe:    r.PostForm.Get("remember_me") != "",
		AuthRequestID: r.PostForm.Get("authRequestID"),
	}
}

// validate checks the shape of the username only; whether it has an
// account is never told on screen 1 (LOGIN-2).
func (f identifyForm) validate() []problem {
	return checkUsername(f.Username)
}

func checkUsername(u string) []problem {
	switch _, ok := accounts.NormalizeEmail(u); {
	case u == "":
		return []problem{{"username", "field.required"}}
	case utf8.RuneCountInString(u) > maxEmailLen:
		return []problem{{"username", "field.too_long"}}
	case !ok:
		return []problem{{"username", "email.invalid"}}
	}
	return nil
}

// passwordForm is screen 2 (LOGIN-3).
type passwordForm struct {
	Username      string
	Password      string
	RememberMe    bool
	AuthRequestID string
}

func parsePasswordForm(r *http.Request) passwordForm {
	return passwordForm{
		Username:      strings.TrimSpace(r.PostForm.Get("username")),
		Password:      r.PostForm.Get("password"),
		RememberMe:    r.PostForm.Get("remember_me") != "",
		AuthRequestID: r.PostForm.Get("authRequestID"),
	}
}

// signupForm is the create-account form (ACC-2). Passwords are never
// printed back into the page.
type signupForm struct {
	Email, FirstName, LastName, Language string
	Password, Confirm                    string
	AuthRequestID                        string
}

func parseSignupForm(r *http.Request) signupForm {
	return signupForm{
		Email:         strings.TrimSpace(r.PostForm.Get(accounts.FieldEmail)),
		FirstName:     strings.TrimSpace(r.PostForm.Get(accounts.FieldFirstName)),
		LastName:      strings.TrimSpace(r.PostForm.Get(accounts.FieldLastName)),
		Language:      r.PostForm.Get(accounts.FieldLanguage),
		Password:      r.PostForm.Get(accounts.FieldPassword),
		Confirm:       r.PostForm.Get(accounts.FieldConfirm),
		AuthRequestID: r.PostForm.Get("authRequestID"),
	}
}

func (f signupForm) signUp() accounts.SignUp {
	return accounts.SignUp{
		Email: f.Email, FirstName: f.FirstName, LastName: f.LastName,
		Language: f.Language, Password: f.Password, Confirm: f.Confirm,
	}
}

// signupFields is the order of the create-account fields, for the error
// summary.
var signupFields = []string{
	accounts.FieldEmail, accounts.FieldFirstName, accounts.FieldLastName,
	accounts.FieldLanguage, accounts.FieldPassword, accounts.FieldConfirm,
}

// problemsOf orders field errors as the form shows its fields.
func problemsOf(fe accounts.FieldErrors) []problem {
	var out []problem
	for _, name := range signupFields {
		if key, ok := fe[name]; ok {
			out = append(out, problem{name, key})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(fe)) {
		if !slices.Contains(signupFields, name) {
			out = append(out, problem{name, fe[name]})
		}
	}
	return out
}

// logoutForm carries an RP-initiated logout's parameters through the
// confirmation (GET) to the sign-out (POST).
type logoutForm struct {
	ClientID, PostLogoutRedirectURI, State string
}

func parseLogoutForm(v map[string][]string) logoutForm {
	get := func(k string) string {
		if len(v[k]) > 0 {
			return v[k][0]
		}
		return ""
	}
	return logoutForm{
		ClientID:              get("client_id"),
		PostLogoutRedirectURI: get("post_logout_redirect_uri"),
		State:                 get("state"),
	}
}
