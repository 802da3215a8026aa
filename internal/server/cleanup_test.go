package server

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

func TestCleanupDeletesExpiredRequestsAndTokens(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := domain.NewFixedClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Argon2 = config.Argon2{MemoryKiB: 8 * 1024, Iterations: 1, Parallelism: 1}
	srv, err := New(ctx, cfg, db, clock, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	now := clock.Now()
	if err := db.CreateClient(ctx, &domain.Client{ID: "c", Name: "C", RedirectURIs: []string{"https://c.example/cb"},
		PortalType: domain.PortalMember, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for id, created := range map[string]time.Time{"old": now.Add(-cfg.AuthRequestTTL - time.Second), "new": now} {
		if err := db.CreateAuthRequest(ctx, &domain.AuthRequest{ID: id, ClientID: "c", RedirectURI: "https://c.example/cb",
			Scopes: []string{"openid"}, ResponseType: "code", CreatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	for id, expires := range map[string]time.Time{"long expired": now.Add(-cfg.SessionMax - time.Second),
		"expired": now.Add(-time.Second), "live": now.Add(time.Hour)} {
		if err := db.CreateToken(ctx, &domain.Token{ID: id, Kind: domain.TokenAccess, ClientID: "c",
			Scopes: []string{"openid"}, CreatedAt: now.Add(-time.Hour), ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}

	srv.CleanupOnce(ctx)

	for id, want := range map[string]bool{"old": false, "new": true} {
		if _, err := db.AuthRequestByID(ctx, id); (err == nil) != want {
			t.Errorf("auth request %s: %v (kept = %v wanted)", id, err, want)
		}
	}
	// An expired token is kept for a session's lifetime: back-channel
	// logout finds the session's portals through it.
	for id, want := range map[string]bool{"long expired": false, "expired": true, "live": true} {
		if _, err := db.TokenByID(ctx, id); (err == nil) != want {
			t.Errorf("token %s: %v (kept = %v wanted)", id, err, want)
		}
	}
}
