package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/password"
	"github.com/entrykeyid/entrykeyid/internal/server"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// IdP is the identity provider running in the test process on a real
// loopback port, over a SQLite database in a temporary data directory,
// delivering mail as .eml files into MailDir.
type IdP struct {
	Issuer  string // http://127.0.0.1:PORT
	Config  config.Config
	Store   *sqlstore.DB
	Server  *server.Server
	MailDir string
	Log     *slog.Logger
}

// TestConfig returns the configuration the tests run the provider with:
// the defaults, development mode, and the cheapest argon2id parameters the
// configuration accepts, so that sign-ins are fast under the race detector.
func TestConfig(dataDir string) config.Config {
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.Dev = true
	cfg.Argon2 = config.Argon2{MemoryKiB: 8 * 1024, Iterations: 1, Parallelism: 1}
	// Every browser of these tests is 127.0.0.1: a flow with five wrong
	// passwords, recovery and a reset passes the per-address sign-in limit
	// of one minute. The limits have their own tests in internal/server.
	cfg.RateLimits = config.LoadTestRateLimits()
	return cfg
}

// StartIdP starts the identity provider as `entrykeyid serve --dev` does,
// on 127.0.0.1 with a port of the kernel's choosing, and stops it when the
// test ends. tweak, if given, changes the configuration before start.
func StartIdP(t testing.TB, tweak ...func(*config.Config)) *IdP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	cfg := TestConfig(filepath.Join(t.TempDir(), "data"))
	cfg.Addr = l.Addr().String()
	cfg.Issuer = "http://" + l.Addr().String()
	for _, f := range tweak {
		f(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		l.Close()
		t.Fatalf("test configuration: %v", err)
	}
	log := NewTestLogger(t, "idp")

	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlstore.OpenSQLite(ctx, filepath.Join(cfg.DataDir, "entrykeyid.db"))
	if err != nil {
		cancel()
		l.Close()
		t.Fatalf("open store: %v", err)
	}
	srv, err := server.New(ctx, cfg, store, domain.SystemClock{}, log)
	if err != nil {
		cancel()
		l.Close()
		store.Close()
		t.Fatalf("start server: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, l, srv.Handler(), log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("idp serve: %v", err)
		}
		srv.Close()
		store.Close()
	})
	p := &IdP{
		Issuer:  cfg.Issuer,
		Config:  cfg,
		Store:   store,
		Server:  srv,
		MailDir: filepath.Join(cfg.DataDir, "mail"),
		Log:     log,
	}
	p.waitReady(t)
	return p
}

// waitReady polls /readyz until it answers 200.
func (p *IdP) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(p.Issuer + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("identity provider not ready at %s: %v", p.Issuer, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ClientSpec describes a portal to register, as `entrykeyid client add`
// takes it.
type ClientSpec struct {
	ID                     string
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	PortalType             string
	Public                 bool
}

// RegisterClient stores the client as `client add` does and returns its
// secret ("" for a public client).
func (p *IdP) RegisterClient(t testing.TB, spec ClientSpec) string {
	t.Helper()
	c := &domain.Client{
		ID:                     spec.ID,
		Name:                   spec.Name,
		Public:                 spec.Public,
		RedirectURIs:           spec.RedirectURIs,
		PostLogoutRedirectURIs: spec.PostLogoutRedirectURIs,
		BackchannelLogoutURI:   spec.BackchannelLogoutURI,
		PortalType:             spec.PortalType,
		CreatedAt:              time.Now().UTC(),
	}
	if c.PortalType == "" {
		c.PortalType = domain.PortalMember
	}
	var secret string
	if !spec.Public {
		secret = oidc.NewClientSecret()
		c.SecretDigest = oidc.HashSecret(secret)
	}
	if err := p.Store.CreateClient(context.Background(), c); err != nil {
		t.Fatalf("register client %s: %v", spec.ID, err)
	}
	return secret
}

// CreateActiveAccount writes an active account with the password straight
// into the store, hashed as sign-in expects, for tests whose subject is
// not sign-up.
func (p *IdP) CreateActiveAccount(t testing.TB, email, first, last, pw string) *domain.Account {
	t.Helper()
	key, ok := accounts.NormalizeEmail(email)
	if !ok {
		t.Fatalf("not an email address: %q", email)
	}
	hash, err := password.NewHasher(p.Config.Argon2).Hash(pw)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	now := time.Now().UTC()
	a := &domain.Account{
		ID:                randomHex(16),
		Email:             email,
		EmailKey:          key,
		FirstName:         first,
		LastName:          last,
		Language:          "en",
		PasswordHash:      hash,
		Status:            domain.StatusActive,
		CreatedAt:         now,
		UpdatedAt:         now,
		ActivatedAt:       &now,
		PasswordChangedAt: now,
	}
	if err := p.Store.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("create account: %v", err)
	}
	return a
}

// WaitForMail delivers the outbox and waits up to 15 seconds for a message
// to `to` whose subject contains subject, returning the newest such one.
func (p *IdP) WaitForMail(t testing.TB, to, subject string) Email {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := p.Server.FlushMail(context.Background()); err != nil {
			t.Logf("flush mail: %v", err)
		}
		msgs, err := readMailDir(p.MailDir)
		if err != nil {
			t.Fatalf("read mail: %v", err)
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if strings.Contains(strings.ToLower(m.To), strings.ToLower(to)) && strings.Contains(m.Subject, subject) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var seen []string
			for _, m := range msgs {
				seen = append(seen, m.To+": "+m.Subject)
			}
			t.Fatalf("no mail to %s with subject %q in %s; have %q", to, subject, p.MailDir, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
