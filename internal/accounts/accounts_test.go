package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// small keeps argon2id cheap in tests.
var small = config.Argon2{MemoryKiB: 8192, Iterations: 1, Parallelism: 1}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const goodPassword = "Correct-Horse-9"

// composed is one email the recording composer rendered.
type composed struct {
	To, Lang, Template string
	Data               map[string]any
}

// recordingComposer renders a plain message and remembers what it
// rendered. before, when set, runs first and may fail the composition.
type recordingComposer struct {
	mu     sync.Mutex
	sent   []composed
	before func(template string) error
}

func (c *recordingComposer) Compose(to, lang, template string, data map[string]any) (*domain.Message, error) {
	if c.before != nil {
		if err := c.before(template); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.sent = append(c.sent, composed{to, lang, template, data})
	c.mu.Unlock()
	text := fmt.Sprint(data["Link"])
	if template == TemplateAccountExists {
		text = fmt.Sprint(data["LoginLink"])
	}
	return &domain.Message{To: to, Subject: template, Text: text}, nil
}

// all returns the emails rendered so far with the template ("" for all).
func (c *recordingComposer) all(template string) []composed {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []composed
	for _, m := range c.sent {
		if template == "" || m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

// lastSecret returns the token of the newest activation email to addr.
func (c *recordingComposer) lastSecret(t *testing.T, addr string) string {
	t.Helper()
	acts := c.all(TemplateActivate)
	for i := len(acts) - 1; i >= 0; i-- {
		if acts[i].To == addr {
			u, err := url.Parse(acts[i].Data["Link"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return u.Query().Get("token")
		}
	}
	t.Fatalf("no activation email to %s", addr)
	return ""
}

type env struct {
	svc   *Service
	store *sqlstore.DB
	clock *domain.FixedClock
	mail  *recordingComposer
	cfg   config.Config
	hash  *password.Hasher
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, small)
}

func newEnvWith(t *testing.T, p config.Argon2) *env {
	t.Helper()
	db, err := sqlstore.OpenSQLite(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := config.Default()
	cfg.Issuer = "https://id.example.test"
	cfg.Argon2 = p
	e := &env{store: db, clock: domain.NewFixedClock(t0), mail: &recordingComposer{}, cfg: cfg}
	e.hash = password.NewHasher(p)
	e.svc = New(db, e.hash, e.mail, e.clock, cfg, nil)
	return e
}

// withHasher returns a Service over the same store, clock and mail with
// other argon2id parameters.
func (e *env) withHasher(p config.Argon2) *Service {
	cfg := e.cfg
	cfg.Argon2 = p
	return New(e.store, password.NewHasher(p), e.mail, e.clock, cfg, nil)
}

func signUp(email string) SignUp {
	return SignUp{Email: email, FirstName: "Ana", LastName: "Pérez", Language: "es", Password: goodPassword, Confirm: goodPassword}
}

// register creates a pending account and returns its activation secret.
func (e *env) register(t *testing.T, email string) string {
	t.Helper()
	if err := e.svc.Register(context.Background(), signUp(email), Meta{}); err != nil {
		t.Fatalf("Register(%s): %v", email, err)
	}
	return e.mail.lastSecret(t, strings.TrimSpace(email))
}

// active creates an active account.
func (e *env) active(t *testing.T, email string) *domain.Account {
	t.Helper()
	a, err := e.svc.Activate(context.Background(), e.register(t, email), goodPassword, Meta{})
	if err != nil {
		t.Fatalf("Activate: %v", err)
	}
	return a
}

func (e *env) account(t *testing.T, email string) *domain.Account {
	t.Helper()
	a, err := e.svc.Lookup(context.Background(), email)
	if err != nil {
		t.Fatalf("Lookup(%s): %v", email, err)
	}
	return a
}

func (e *env) count(t *testing.T) int {
	t.Helper()
	n, err := e.store.CountAccounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// outbox returns every undelivered message.
func (e *env) outbox(t *testing.T) []*domain.Message {
	t.Helper()
	msgs, err := e.store.ClaimMessages(context.Background(), t0.Add(100*365*24*time.Hour), 1000, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// audits returns the audit events of a type, newest first.
func (e *env) audits(t *testing.T, typ string) []*domain.AuditEvent {
	t.Helper()
	evs, err := e.store.ListAudit(context.Background(), domain.AuditFilter{Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// wantKey fails unless err is a *domain.Error with code and key.
func wantKey(t *testing.T, err error, code, key string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != code || de.Key != key {
		t.Fatalf("error = %v, want %s %q", err, code, key)
	}
}
