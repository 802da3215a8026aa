package accounts

import (
	"context"
	"crypto/subtle"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// Form field names of the create-account form (SPEC "Stable names").
const (
	FieldEmail     = "email"
	FieldFirstName = "first_name"
	FieldLastName  = "last_name"
	FieldLanguage  = "language"
	FieldPassword  = "password"
	FieldConfirm   = "confirm_password"
)

// Message keys Register puts in FieldErrors, besides password.CheckPolicy's.
const (
	KeyRequired         = "field.required"
	KeyTooLong          = "field.too_long"
	KeyInvalid          = "field.invalid"
	KeyEmailInvalid     = "email.invalid"
	KeyPasswordMismatch = "password.mismatch"
	KeyNameInvalid      = "name.invalid"
)

// maxNameLen is the longest first or last name, in characters.
const maxNameLen = 100

// Languages an account may prefer.
var Languages = []string{"en", "es"}

// SignUp is the create-account form (ACC-2).
type SignUp struct {
	Email, FirstName, LastName, Language, Password, Confirm string
}

// FieldErrors maps a form field name to the message key of what is wrong
// with it. Register returns every problem at once.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	return "invalid fields: " + strings.Join(slices.Sorted(maps.Keys(fe)), ", ")
}

// Register answers the create-account form (ACC-2). Bad input gives
// FieldErrors with every problem at once. Otherwise it returns nil,
// whatever the address, so the form never tells who has an account:
//
//   - a new address: a pending account, an activation link carrying this
//     sign-up's password hash, names and language, its email in the outbox
//     and the audit event, in one transaction: all or nothing;
//   - an address with a pending account (ACC-1: ignoring case and Unicode
//     form), including one created by a sign-up that wins a race: a new
//     activation link carrying this sign-up, and its email. The pending
//     account itself does not change: only using a link does (Activate),
//     with the password typed in that link's sign-up;
//   - an address with an active, locked or disabled account: an
//     "account_exists" email to it.
//
// Emails to an existing account are capped (MaxAccountMails per
// MailWindow). The password is hashed before the address is looked up, so
// every outcome takes the same time.
func (s *Service) Register(ctx context.Context, in SignUp, m Meta) error {
	key, fe := s.validate(in)
	if len(fe) > 0 {
		return fe
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return err
	}
	d := signUpData{
		PasswordHash: hash,
		FirstName:    strings.TrimSpace(in.FirstName),
		LastName:     strings.TrimSpace(in.LastName),
		Language:     strings.TrimSpace(in.Language),
	}
	if existing, err := s.store.AccountByEmailKey(ctx, key); err == nil {
		return s.mailExisting(ctx, existing.ID, d, false, m)
	} else if !domain.IsNotFound(err) {
		return err
	}

	now := s.clock.Now()
	a := &domain.Account{
		ID:                newID(),
		Email:             strings.TrimSpace(in.Email),
		EmailKey:          key,
		FirstName:         d.FirstName,
		LastName:          d.LastName,
		Language:          d.Language,
		PasswordHash:      hash,
		Status:            domain.StatusPending,
		Type:              domain.AccountMember,
		CreatedAt:         now,
		UpdatedAt:         now,
		PasswordChangedAt: now,
	}
	link, msg, err := s.activation(a, d)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.EnqueueMessage(ctx, msg); err != nil {
			return fmt.Errorf("enqueue activation email: %w", err)
		}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		if err := tx.CreateLink(ctx, link); err != nil {
			return fmt.Errorf("create activation link: %w", err)
		}
		return s.audit(ctx, tx, domain.AuditAccountCreate, a.ID, m, "")
	})
	if domain.IsConflict(err) {
		// A concurrent sign-up with the same address committed first.
		existing, lerr := s.store.AccountByEmailKey(ctx, key)
		if lerr != nil {
			return fmt.Errorf("register: address taken but not found: %w", lerr)
		}
		return s.mailExisting(ctx, existing.ID, d, false, m)
	}
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	s.log.InfoContext(ctx, "account created", "account_id", a.ID)
	return nil
}

// validate checks every field and returns the email key and the problems.
func (s *Service) validate(in SignUp) (string, FieldErrors) {
	fe := FieldErrors{}
	key, ok := NormalizeEmail(in.Email)
	switch {
	case strings.TrimSpace(in.Email) == "":
		fe[FieldEmail] = KeyRequired
	case !ok:
		fe[FieldEmail] = KeyEmailInvalid
	}
	for field, v := range map[string]string{FieldFirstName: in.FirstName, FieldLastName: in.LastName} {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			fe[field] = KeyRequired
		case utf8.RuneCountInString(v) > maxNameLen:
			fe[field] = KeyTooLong
		case !printable(v):
			fe[field] = KeyInvalid
		case !plainName(v):
			fe[field] = KeyNameInvalid
		}
	}
	switch lang := strings.TrimSpace(in.Language); {
	case lang == "":
		fe[FieldLanguage] = KeyRequired
	case !slices.Contains(Languages, lang):
		fe[FieldLanguage] = KeyInvalid
	}
	if in.Password == "" {
		fe[FieldPassword] = KeyRequired
	} else if keys := password.CheckPolicy(s.cfg.Policy, in.Password); len(keys) > 0 {
		fe[FieldPassword] = keys[0]
	}
	switch {
	case in.Confirm == "":
		fe[FieldConfirm] = KeyRequired
	case subtle.ConstantTimeCompare([]byte(in.Password), []byte(in.Confirm)) != 1:
		fe[FieldConfirm] = KeyPasswordMismatch
	}
	return key, fe
}

// printable reports whether v is valid UTF-8 without control characters.
func printable(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// plainName reports whether a name reads as a name and not as a message:
// no web address ("://", "www."), no "@" and fewer than 5 digits. Names
// are typed by whoever fills in the form, for an address that may not be
// theirs, and are shown on our screens.
func plainName(v string) bool {
	// NFKC folds look-alikes such as full-width letters and "＠".
	lower := strings.ToLower(norm.NFKC.String(v))
	if strings.Contains(lower, "://") || strings.Contains(lower, "www.") || strings.ContainsRune(lower, '@') {
		return false
	}
	digits := 0
	for _, r := range v {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits < 5
}
