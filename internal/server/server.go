package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
	"github.com/entrykeyid/entrykeyid/internal/mail"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/password"
	"github.com/entrykeyid/entrykeyid/internal/web"
)

// CleanupInterval is how often expired authorization requests and tokens
// are deleted.
const CleanupInterval = 5 * time.Minute

// LogoutNoticeKeep is how long a delivered or given-up back-channel
// logout notice stays in the store (for support questions) before
// cleanup deletes it.
const LogoutNoticeKeep = 7 * 24 * time.Hour

// Server is the identity provider: one http.Handler over the OpenID
// Connect provider, the hosted screens and the operations endpoints, and
// the background work (mail delivery, cleanup, the account sweeper) that
// goes with them.
type Server struct {
	cfg      config.Config
	store    domain.Store
	clock    domain.Clock
	log      *slog.Logger
	metrics  *Metrics
	accounts *accounts.Service
	worker   *mail.Worker
	logouts  *oidc.BackchannelWorker
	handler  http.Handler

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// New builds every part of the identity provider over store and starts
// its background work, which runs until ctx is done or Close is called.
// The caller keeps ownership of store and closes it after Close.
func New(ctx context.Context, cfg config.Config, store domain.Store, clock domain.Clock, log *slog.Logger) (*Server, error) {
	metrics := NewMetrics()
	store = countAudits(store, metrics)

	sender, err := newSender(cfg)
	if err != nil {
		return nil, err
	}
	worker := mail.NewWorker(store, sender, clock, log)
	store = notifyOnEnqueue(store, worker.Notify)
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	limits, err := newThrottle(cfg.RateLimits, clock, cat, metrics, log)
	if err != nil {
		return nil, err
	}
	svc := accounts.New(store, password.NewHasher(cfg.Argon2), mail.NewComposer(cfg.MailFrom), clock, cfg, log)
	provider, err := oidc.New(ctx, cfg, store, clock, log)
	if err != nil {
		return nil, fmt.Errorf("openid connect provider: %w", err)
	}
	// Every session the account service ends records the back-channel
	// logout notices of its portals in the same transaction (SSO-3).
	svc.SetLogoutNotifier(provider.EnqueueBackchannelLogout)
	site, err := web.New(web.Deps{Config: cfg, Accounts: svc, Store: store, Clock: clock, Log: log})
	if err != nil {
		return nil, fmt.Errorf("hosted screens: %w", err)
	}

	s := &Server{
		cfg:      cfg,
		store:    store,
		clock:    clock,
		log:      log,
		metrics:  metrics,
		accounts: svc,
		worker:   worker,
		logouts:  provider.Backchannel(),
	}
	var inbox http.Handler
	if cfg.Dev {
		inbox = mail.NewInbox(mailDir(cfg))
		log.Warn("DEVELOPMENT MODE (--dev): every email is readable by anyone at /dev/mail; never use it in production",
			slog.String("inbox", cfg.URL("/dev/mail")))
	}
	s.handler = s.middleware(s.routes(provider.Handler(), site.Handler(), site.Paths(), inbox, limits))

	bg, stop := context.WithCancel(ctx)
	s.stop = stop
	s.background(bg, "mail worker", s.worker.Run)
	s.background(bg, "back-channel logout", s.logouts.Run)
	s.background(bg, "cleanup", s.cleanup)
	s.background(bg, "account sweeper", NewSweeper(store, svc, clock, cfg.Lifecycle.SweepEvery, log).Run)
	return s, nil
}

// newSender returns the SMTP relay when one is configured, and otherwise
// a sender that writes .eml files into the data directory.
func newSender(cfg config.Config) (domain.Sender, error) {
	if cfg.SMTP != "" {
		s, err := mail.NewSMTPSender(cfg.SMTP, cfg.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("smtp: %w", err)
		}
		return s, nil
	}
	fs := mail.NewFileSender(mailDir(cfg))
	fs.From = cfg.MailFrom
	return fs, nil
}

// mailDir is where file delivery writes messages and the inbox reads them.
func mailDir(cfg config.Config) string { return filepath.Join(cfg.DataDir, "mail") }

// Handler returns the whole HTTP side, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

// MetricsHandler serves GET /metrics alone, for a listener of its own
// (cfg.MetricsAddr); every other path is 404.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	return mux
}

// Metrics returns the server's collectors.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Accounts returns the account service the hosted screens use.
func (s *Server) Accounts() *accounts.Service { return s.accounts }

// FlushMail delivers every message due now, once, and reports how many.
func (s *Server) FlushMail(ctx context.Context) (int, error) { return s.worker.Flush(ctx) }

// FlushBackchannel posts every back-channel logout notice due now, once,
// and reports how many portals took theirs.
func (s *Server) FlushBackchannel(ctx context.Context) (int, error) { return s.logouts.Flush(ctx) }

// Close stops the background work and waits for it to finish. It does not
// close the store.
func (s *Server) Close() error {
	s.stop()
	s.wg.Wait()
	return nil
}

// background runs fn in a goroutine that Close waits for.
func (s *Server) background(ctx context.Context, name string, fn func(context.Context) error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("background task stopped", slog.String("task", name), slog.String("error", err.Error()))
		}
	}()
}

// cleanup deletes authorization requests older than their lifetime and
// tokens past their expiry, every CleanupInterval until ctx is done.
func (s *Server) cleanup(ctx context.Context) error {
	t := time.NewTicker(CleanupInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s.CleanupOnce(ctx)
		}
	}
}

// CleanupOnce deletes, now, expired authorization requests, tokens
// expired for longer than a session's maximum lifetime, and back-channel
// logout notices done more than LogoutNoticeKeep ago.
func (s *Server) CleanupOnce(ctx context.Context) {
	now := s.clock.Now()
	reqs, err := s.store.DeleteAuthRequestsBefore(ctx, now.Add(-s.cfg.AuthRequestTTL))
	if err != nil {
		s.log.Warn("cleanup of auth requests failed", slog.String("error", err.Error()))
	}
	// Expired token rows stay for a session's maximum lifetime: they say
	// which portals a session gave tokens to, and so which are told when it
	// ends (back-channel logout); an expired token is refused all the same.
	toks, err := s.store.DeleteTokensBefore(ctx, now.Add(-s.cfg.SessionMax))
	if err != nil {
		s.log.Warn("cleanup of tokens failed", slog.String("error", err.Error()))
	}
	logouts, err := s.store.DeleteLogoutsBefore(ctx, now.Add(-LogoutNoticeKeep))
	if err != nil {
		s.log.Warn("cleanup of back-channel logout notices failed", slog.String("error", err.Error()))
	}
	if reqs+toks+logouts > 0 {
		s.log.Info("cleanup", slog.Int("auth_requests", reqs), slog.Int("tokens", toks), slog.Int("logout_notices", logouts))
	}
}
