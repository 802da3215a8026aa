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

// Register creates a pending account and sends its activation email
// (ACC-2). Bad input gives FieldErrors with every problem at once. The
// account, its activation link, the email in the outbox and the audit event
// are written in one transaction: all or nothing.
//
// When the address is already taken (ACC-1: ignoring case and Unicode
// form), including by a sign-up that wins a race, Register returns nil as
// if it had succeeded and sends an "account_exists" email to the existing
// account instead, so the form never tells who has an account. The
// password is hashed before the address is looked up, so both outcomes
// take the same time.
func (s *Service) Register(ctx context.Context, in SignUp, m Meta) error {
	key, fe := s.validate(in)
	if len(fe) > 0 {
		return fe
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return err
	}
	if existing, err := s.store.AccountByEmailKey(ctx, key); err == nil {
		return s.sendAccountExists(ctx, existing)
	} else if !domain.IsNotFound(err) {
		return err
	}

	now := s.clock.Now()
	a := &domain.Account{
		ID:                newID(),
		Email:             strings.TrimSpace(in.Email),
		EmailKey:          key,
		FirstName:         strings.TrimSpace(in.FirstName),
		LastName:          strings.TrimSpace(in.LastName),
		Language:          strings.TrimSpace(in.Language),
		PasswordHash:      hash,
		Status:            domain.StatusPending,
		CreatedAt:         now,
		UpdatedAt:         now,
		PasswordChangedAt: now,
	}
	link, msg, err := s.activation(a)
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
		return s.sendAccountExists(ctx, existing)
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

// activation makes a new activation link for a and its email.
func (s *Service) activation(a *domain.Account) (*domain.Link, *domain.Message, error) {
	secret, digest := newSecret()
	now := s.clock.Now()
	link := &domain.Link{
		Digest: digest, Purpose: domain.LinkActivate, AccountID: a.ID,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.ActivationTTL),
	}
	msg, err := s.compose(a.Email, a.Language, TemplateActivate, map[string]any{
		"Name":        a.Name(),
		"Link":        s.cfg.URL("/activate?token=" + secret),
		"ExpiresDays": days(s.cfg.ActivationTTL),
	})
	return link, msg, err
}

// sendAccountExists tells the owner of an address that someone tried to
// create an account with it.
func (s *Service) sendAccountExists(ctx context.Context, a *domain.Account) error {
	msg, err := s.compose(a.Email, a.Language, TemplateAccountExists, map[string]any{
		"Name":      a.Name(),
		"LoginLink": s.cfg.URL("/login"),
	})
	if err != nil {
		return err
	}
	if err := s.store.EnqueueMessage(ctx, msg); err != nil {
		return fmt.Errorf("enqueue account_exists email: %w", err)
	}
	s.log.InfoContext(ctx, "sign-up for an existing address", "account_id", a.ID)
	return nil
}
