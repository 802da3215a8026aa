package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Form field names of the profile form (PROF-1), besides FieldFirstName,
// FieldLastName and FieldLanguage.
const (
	FieldPhone = "phone"
	FieldFax   = "fax"
)

// KeyPhoneInvalid is the message key of a phone or fax number that is not
// one.
const KeyPhoneInvalid = "phone.invalid"

// maxPhoneLen is the longest phone or fax number accepted as typed, in
// characters, separators included.
const maxPhoneLen = 32

// ProfileInput is the profile form (PROF-1).
type ProfileInput struct {
	FirstName, LastName, Phone, Fax, Language string
}

// UpdateProfile writes the names, phone, fax and preferred language of the
// signed-in account (PROF-1) and audits it. The names follow the sign-up
// rules (required, at most 100 characters, printable, name.invalid for web
// addresses, "@" or 5+ digits); phone and fax are optional and, when
// given, must read as a telephone number (see validPhone); the language is
// "en" or "es". Bad input gives FieldErrors with every problem and changes
// nothing. The values are stored trimmed, the numbers as typed. The
// language drives every screen and email that follows (PROF-3).
func (s *Service) UpdateProfile(ctx context.Context, accountID string, in ProfileInput, m Meta) (*domain.Account, error) {
	in = ProfileInput{
		FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName),
		Phone: strings.TrimSpace(in.Phone), Fax: strings.TrimSpace(in.Fax), Language: strings.TrimSpace(in.Language),
	}
	if fe := validateProfile(in); len(fe) > 0 {
		return nil, fe
	}
	var a *domain.Account
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		var err error
		if a, err = tx.AccountByID(ctx, accountID); err != nil {
			return err
		}
		var changed []string
		for _, f := range []struct {
			name     string
			dst      *string
			from, to string
		}{
			{FieldFirstName, &a.FirstName, a.FirstName, in.FirstName},
			{FieldLastName, &a.LastName, a.LastName, in.LastName},
			{FieldPhone, &a.Phone, a.Phone, in.Phone},
			{FieldFax, &a.Fax, a.Fax, in.Fax},
			{FieldLanguage, &a.Language, a.Language, in.Language},
		} {
			if f.from != f.to {
				*f.dst = f.to
				changed = append(changed, f.name)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		a.UpdatedAt = s.clock.Now()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		// The detail names the fields, never their values.
		return s.audit(ctx, tx, domain.AuditProfileUpdate, a.ID, m, strings.Join(changed, ","))
	})
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	return a, nil
}

// validateProfile checks every field of the profile form.
func validateProfile(in ProfileInput) FieldErrors {
	fe := FieldErrors{}
	for field, v := range map[string]string{FieldFirstName: in.FirstName, FieldLastName: in.LastName} {
		if key := nameProblem(v); key != "" {
			fe[field] = key
		}
	}
	for field, v := range map[string]string{FieldPhone: in.Phone, FieldFax: in.Fax} {
		switch {
		case v == "":
		case utf8.RuneCountInString(v) > maxPhoneLen:
			fe[field] = KeyTooLong
		case !validPhone(v):
			fe[field] = KeyPhoneInvalid
		}
	}
	switch {
	case in.Language == "":
		fe[FieldLanguage] = KeyRequired
	case !slices.Contains(Languages, in.Language):
		fe[FieldLanguage] = KeyInvalid
	}
	return fe
}

// nameProblem returns the message key of what is wrong with a first or
// last name (trimmed), or "": the rules of sign-up (ACC-2, M4).
func nameProblem(v string) string {
	switch {
	case v == "":
		return KeyRequired
	case utf8.RuneCountInString(v) > maxNameLen:
		return KeyTooLong
	case !printable(v):
		return KeyInvalid
	case !plainName(v):
		return KeyNameInvalid
	}
	return ""
}

// validPhone reports whether v reads as a telephone number, E.164 in
// spirit: an optional leading "+", then 7 to 15 digits (ASCII), which may
// be grouped by spaces, "-", "." or one pair of parentheses. An extension
// or letters are not accepted.
func validPhone(v string) bool {
	digits, parens := 0, 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.':
		case r == '(' && parens == 0:
			parens = 1
		case r == ')' && parens == 1:
			parens = 2
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15 && parens != 1
}
