package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// Email template names Service composes.
const (
	TemplateActivate      = "activate"       // data: Name, Link, ExpiresDays
	TemplateAccountExists = "account_exists" // data: Name, LoginLink
)

// Composer renders an email template for one recipient in one language.
// mail.Composer implements it.
type Composer interface {
	Compose(to, lang, template string, data map[string]any) (*domain.Message, error)
}

// Meta describes the request an operation comes from, for the audit log.
type Meta struct {
	IP, UserAgent, ClientID string
}

// Service performs account operations. It is safe for concurrent use.
type Service struct {
	store    domain.Store
	hasher   *password.Hasher
	composer Composer
	clock    domain.Clock
	cfg      config.Config
	log      *slog.Logger

	logoutNotifier LogoutNotifier // optional; see SetLogoutNotifier
}

// New returns a Service. A nil log discards log lines.
func New(store domain.Store, hasher *password.Hasher, composer Composer, clock domain.Clock, cfg config.Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, hasher: hasher, composer: composer, clock: clock, cfg: cfg, log: log}
}

// audit appends one event through st (the Store or a transaction's).
func (s *Service) audit(ctx context.Context, st domain.Store, typ, accountID string, m Meta, detail string) error {
	err := st.AppendAudit(ctx, &domain.AuditEvent{
		Time: s.clock.Now(), Type: typ, AccountID: accountID,
		ClientID: m.ClientID, IP: m.IP, Detail: detail,
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", typ, err)
	}
	return nil
}

// compose renders a template into an outbox message due now.
func (s *Service) compose(to, lang, template string, data map[string]any) (*domain.Message, error) {
	msg, err := s.composer.Compose(to, lang, template, data)
	if err != nil {
		return nil, fmt.Errorf("compose %s: %w", template, err)
	}
	now := s.clock.Now()
	if msg.To == "" {
		msg.To = to
	}
	msg.CreatedAt, msg.NextAttemptAt = now, now
	return msg, nil
}

// newSecret returns 256 random bits in unpadded base64url and the hex
// SHA-256 digest under which it is stored.
func newSecret() (secret, digest string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, digestOf(secret)
}

// digestOf returns the hex SHA-256 of a secret.
func digestOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// sameDigest compares two digests in constant time.
func sameDigest(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// newID returns a random 128-bit identifier in hex.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// maxSecretLen bounds what is hashed from a cookie or link: our secrets are
// 43 characters.
const maxSecretLen = 128

// days rounds d up to whole days, for "expires in N days" in emails.
func days(d time.Duration) int {
	const day = 24 * time.Hour
	return int((d + day - 1) / day)
}

func errf(code, key, msg string) *domain.Error {
	return &domain.Error{Code: code, Key: key, Message: msg}
}
