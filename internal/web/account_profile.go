package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// profileForm is the profile form of the account screen (PROF-1).
type profileForm struct {
	FirstName, LastName, Phone, Fax, Language string
}

func parseProfileForm(r *http.Request) profileForm {
	return profileForm{
		FirstName: strings.TrimSpace(r.PostForm.Get(accounts.FieldFirstName)),
		LastName:  strings.TrimSpace(r.PostForm.Get(accounts.FieldLastName)),
		Phone:     strings.TrimSpace(r.PostForm.Get(accounts.FieldPhone)),
		Fax:       strings.TrimSpace(r.PostForm.Get(accounts.FieldFax)),
		Language:  r.PostForm.Get(accounts.FieldLanguage),
	}
}

// profileFields is the order of the profile form's fields.
var profileFields = []string{
	accounts.FieldFirstName, accounts.FieldLastName, accounts.FieldPhone, accounts.FieldFax, accounts.FieldLanguage,
}

// profileSubmit serves POST /account/profile: it saves the profile and
// goes back to /account with a notice, or re-shows the account screen with
// the problems. A new preferred language becomes the screens' language at
// once: the language cookie takes it (PROF-3), as an explicit choice does.
func (s *Server) profileSubmit(w http.ResponseWriter, r *http.Request) {
	_, acc, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	f := parseProfileForm(r)
	in := accounts.ProfileInput{FirstName: f.FirstName, LastName: f.LastName, Phone: f.Phone, Fax: f.Fax, Language: f.Language}
	saved, err := s.accounts.UpdateProfile(r.Context(), acc.ID, in, meta(r, ""))
	if fe, isFE := errors.AsType[accounts.FieldErrors](err); isFE {
		for _, name := range []string{accounts.FieldFirstName, accounts.FieldLastName, accounts.FieldPhone, accounts.FieldFax} {
			if fe[name] == accounts.KeyInvalid && s.tooLong(name, r.PostForm.Get(name)) {
				fe[name] = accounts.KeyTooLong
			}
		}
		s.accountPage(w, r, acc, f, problemsIn(fe, profileFields...), http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if i18n.Supported(saved.Language) && saved.Language != acc.Language {
		s.setCookie(w, langCookie, saved.Language, langCookieAge)
	}
	http.Redirect(w, r, s.cfg.URL("/account?done=profile"), http.StatusSeeOther)
}

// ProfileField describes one text input of the profile form: phone and
// fax are optional telephone inputs with a hint; the names are required
// text. No field takes focus: the page is a landing page first.
func (p *page) ProfileField(name, autocomplete, value string) field {
	typ, hint := "text", ""
	if name == accounts.FieldPhone || name == accounts.FieldFax {
		typ, hint = "tel", "account."+name+".hint"
	}
	f := p.Field(name, typ, value, autocomplete, hint)
	f.Autofocus = false
	return f
}
