package server

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/mail"
	"github.com/entrykeyid/entrykeyid/internal/password"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// sweepEnv is one store with n active accounts whose passwords were set
// at start, and a service configured with expiry warnings 30 days ahead.
func sweepEnv(t *testing.T, n int) (*sqlstore.DB, *accounts.Service, *domain.FixedClock, config.Config) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	clock := domain.NewFixedClock(start)
	cfg := config.Default()
	cfg.Lifecycle.ExpiryWarningDays = 30
	svc := accounts.New(db, password.NewHasher(config.Argon2{MemoryKiB: 8192, Iterations: 1, Parallelism: 1}),
		mail.NewComposer(cfg.MailFrom), clock, cfg, nil)
	for i := range n {
		at := start
		err := db.CreateAccount(ctx, &domain.Account{
			ID: fmt.Sprintf("acct-%03d", i), Email: fmt.Sprintf("user%d@example.test", i), EmailKey: fmt.Sprintf("user%d@example.test", i),
			Language: "en", PasswordHash: "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", Status: domain.StatusActive,
			Type: domain.AccountMember, CreatedAt: at, UpdatedAt: at, ActivatedAt: &at, PasswordChangedAt: at, LastLoginAt: &at,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db, svc, clock, cfg
}

func TestSweeper_OneRunnerAtATime(t *testing.T) {
	db, svc, clock, _ := sweepEnv(t, 3)
	a := NewSweeper(db, svc, clock, 10*time.Minute, nil)
	b := NewSweeper(db, svc, clock, 10*time.Minute, nil)
	ctx := context.Background()
	if ran, _, err := a.RunOnce(ctx); !ran || err != nil {
		t.Fatalf("a: ran %v, %v", ran, err)
	}
	if ran, _, _ := b.RunOnce(ctx); ran {
		t.Error("b ran while a held the lease")
	}
	clock.Advance(10*time.Minute - time.Second)
	if ran, _, _ := a.RunOnce(ctx); !ran {
		t.Error("a could not renew")
	}
	clock.Advance(10*time.Minute - time.Second)
	if ran, _, _ := b.RunOnce(ctx); ran {
		t.Error("b ran while a's renewed lease lived")
	}
	// a stops; b takes over once the lease has expired.
	clock.Advance(time.Second)
	if ran, _, _ := b.RunOnce(ctx); !ran {
		t.Error("b did not take over an expired lease")
	}
}

// TestPWD8_TwoSweepersOneStoreWarnEachAccountOnce: two nodes' sweepers on
// one store, rounds at the same moments for 40 days around the warning
// date: each account gets exactly one warning.
func TestPWD8_TwoSweepersOneStoreWarnEachAccountOnce(t *testing.T) {
	const n = 25
	db, svc, clock, cfg := sweepEnv(t, n)
	other := accounts.New(db, password.NewHasher(cfg.Argon2), mail.NewComposer(cfg.MailFrom), clock, cfg, nil)
	sweepers := []*Sweeper{
		NewSweeper(db, svc, clock, time.Hour, nil),
		NewSweeper(db, other, clock, time.Hour, nil),
	}
	ctx := context.Background()
	clock.Advance(330 * 24 * time.Hour)
	var rounds atomic.Int32
	for range 40 * 4 {
		var wg sync.WaitGroup
		for _, w := range sweepers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ran, _, err := w.RunOnce(ctx)
				if err != nil {
					t.Error(err)
				}
				if ran {
					rounds.Add(1)
				}
			}()
		}
		wg.Wait()
		clock.Advance(6 * time.Hour)
	}
	if rounds.Load() != 40*4 {
		t.Errorf("%d rounds ran, want one per moment (%d)", rounds.Load(), 40*4)
	}
	msgs, err := db.ClaimMessages(ctx, clock.Now().Add(24*time.Hour), 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	warned := map[string]int{}
	for _, m := range msgs {
		warned[m.To]++
	}
	if len(warned) != n {
		t.Errorf("%d accounts warned, want %d", len(warned), n)
	}
	for to, c := range warned {
		if c != 1 {
			t.Errorf("%s got %d warnings", to, c)
		}
	}
}

func TestSweeper_RunStopsWithContext(t *testing.T) {
	db, svc, clock, _ := sweepEnv(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewSweeper(db, svc, clock, time.Hour, nil).Run(ctx) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}
