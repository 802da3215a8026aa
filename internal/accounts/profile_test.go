package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func profileOf(a *domain.Account) ProfileInput {
	return ProfileInput{FirstName: a.FirstName, LastName: a.LastName, Phone: a.Phone, Fax: a.Fax, Language: a.Language}
}

// TestPROF1_ProfileUpdatesNamePhoneFaxLanguage: the profile form stores
// trimmed names, phone and fax as typed and the language, and audits which
// fields changed, never their values.
func TestPROF1_ProfileUpdatesNamePhoneFaxLanguage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	in := ProfileInput{FirstName: " Ana María ", LastName: "Pérez Gil", Phone: "+1 (555) 010-0199", Fax: "+34 91 123 45 67", Language: "en"}
	got, err := e.svc.UpdateProfile(ctx, a.ID, in, Meta{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	stored := e.account(t, "ana@example.test")
	for name, pair := range map[string][2]string{
		"first": {stored.FirstName, "Ana María"}, "last": {stored.LastName, "Pérez Gil"},
		"phone": {stored.Phone, "+1 (555) 010-0199"}, "fax": {stored.Fax, "+34 91 123 45 67"},
		"language": {stored.Language, "en"}, "returned": {got.FirstName, "Ana María"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %q, want %q", name, pair[0], pair[1])
		}
	}
	evs := e.audits(t, domain.AuditProfileUpdate)
	if len(evs) != 1 || evs[0].Detail != "first_name,last_name,phone,fax,language" || evs[0].AccountID != a.ID {
		t.Fatalf("audit = %+v", evs)
	}
	// Clearing the optional numbers is allowed; an unchanged form is not
	// audited again.
	in.Phone, in.Fax = "", ""
	if _, err := e.svc.UpdateProfile(ctx, a.ID, in, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateProfile(ctx, a.ID, in, Meta{}); err != nil {
		t.Fatal(err)
	}
	if s := e.account(t, "ana@example.test"); s.Phone != "" || s.Fax != "" {
		t.Errorf("numbers not cleared: %q %q", s.Phone, s.Fax)
	}
	if n := len(e.audits(t, domain.AuditProfileUpdate)); n != 2 {
		t.Errorf("%d profile audits, want 2", n)
	}
}

// TestPROF1_ProfileRefusesBadInput: the sign-up rules for names (with
// name.invalid), an E.164-like rule for phone and fax, en/es only; every
// problem at once and nothing stored.
func TestPROF1_ProfileRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "ana@example.test")
	for _, tt := range []struct {
		name string
		in   ProfileInput
		want FieldErrors
	}{
		{"empty names", ProfileInput{Language: "es"}, FieldErrors{FieldFirstName: KeyRequired, FieldLastName: KeyRequired}},
		{"url in name", ProfileInput{FirstName: "see www.x.test", LastName: "P", Language: "es"}, FieldErrors{FieldFirstName: KeyNameInvalid}},
		{"at in name", ProfileInput{FirstName: "Ana", LastName: "a@b", Language: "es"}, FieldErrors{FieldLastName: KeyNameInvalid}},
		{"digits in name", ProfileInput{FirstName: "Call 55501", LastName: "P", Language: "es"}, FieldErrors{FieldFirstName: KeyNameInvalid}},
		{"control", ProfileInput{FirstName: "A\x07", LastName: "P", Language: "es"}, FieldErrors{FieldFirstName: KeyInvalid}},
		{"long name", ProfileInput{FirstName: strings.Repeat("é", 101), LastName: "P", Language: "es"}, FieldErrors{FieldFirstName: KeyTooLong}},
		{"letters in phone", ProfileInput{FirstName: "A", LastName: "P", Phone: "call me", Language: "es"}, FieldErrors{FieldPhone: KeyPhoneInvalid}},
		{"short phone", ProfileInput{FirstName: "A", LastName: "P", Phone: "12345", Language: "es"}, FieldErrors{FieldPhone: KeyPhoneInvalid}},
		{"16 digits", ProfileInput{FirstName: "A", LastName: "P", Fax: "+1234567890123456", Language: "es"}, FieldErrors{FieldFax: KeyPhoneInvalid}},
		{"plus inside", ProfileInput{FirstName: "A", LastName: "P", Fax: "555+0100", Language: "es"}, FieldErrors{FieldFax: KeyPhoneInvalid}},
		{"open paren", ProfileInput{FirstName: "A", LastName: "P", Phone: "(555 0100 199", Language: "es"}, FieldErrors{FieldPhone: KeyPhoneInvalid}},
		{"long phone", ProfileInput{FirstName: "A", LastName: "P", Phone: "+1 555 0100 199 --------------------", Language: "es"}, FieldErrors{FieldPhone: KeyTooLong}},
		{"language", ProfileInput{FirstName: "A", LastName: "P", Language: "fr"}, FieldErrors{FieldLanguage: KeyInvalid}},
		{"no language", ProfileInput{FirstName: "A", LastName: "P"}, FieldErrors{FieldLanguage: KeyRequired}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.UpdateProfile(context.Background(), a.ID, tt.in, Meta{})
			fe, ok := errors.AsType[FieldErrors](err)
			if !ok || len(fe) != len(tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for k, v := range tt.want {
				if fe[k] != v {
					t.Errorf("%s = %q, want %q", k, fe[k], v)
				}
			}
		})
	}
	if s := e.account(t, "ana@example.test"); profileOf(s) != profileOf(a) {
		t.Errorf("a refused form changed the profile: %+v", profileOf(s))
	}
}

// TestPROF3_LanguageDrivesEmails: after the language is changed in the
// profile, the account's emails come in that language.
func TestPROF3_LanguageDrivesEmails(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test") // signed up in Spanish
	in := profileOf(a)
	in.Language = "en"
	if _, err := e.svc.UpdateProfile(ctx, a.ID, in, Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ChangePassword(ctx, a.ID, "", goodPassword, "Another-Horse-7", "Another-Horse-7", Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestEmailChange(ctx, a.ID, "ana.new@example.test", "Another-Horse-7", Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.mail.all("") {
		if m.Template == TemplateActivate {
			continue
		}
		if m.Lang != "en" {
			t.Errorf("%s email in %q, want en", m.Template, m.Lang)
		}
	}
	if len(e.mail.all(TemplatePasswordChanged)) != 1 || len(e.mail.all(TemplateEmailChange)) != 1 {
		t.Errorf("emails: %+v", e.mail.all(""))
	}
}
