package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// SweepLease is the name of the database lease the sweepers of every node
// share: one of them sweeps at a time.
const SweepLease = "account_sweeper"

// Sweeper runs accounts.Service.Sweep (dormancy locks, expiry locks and
// expiry warnings) every interval. Several nodes may run one each against
// the same database: each round first takes the SweepLease through the
// store (domain.LifecycleStore.TryLease), for one interval, so one node
// sweeps at a time, and the node that holds it keeps it by renewing; when
// that node stops, another takes over once the lease has expired. The
// sweep itself is idempotent, so an overlap (a sweep slower than the
// interval) does no harm: a warning is still sent once.
type Sweeper struct {
	store    domain.Store
	accounts *accounts.Service
	clock    domain.Clock
	every    time.Duration
	holder   string
	log      *slog.Logger
}

// DefaultSweepEvery is the interval of a sweeper given none.
const DefaultSweepEvery = 10 * time.Minute

// NewSweeper returns a sweeper over store with a holder name unique to
// this process (host name and random bits). An interval of 0 or less is
// DefaultSweepEvery.
func NewSweeper(store domain.Store, svc *accounts.Service, clock domain.Clock, every time.Duration, log *slog.Logger) *Sweeper {
	if every <= 0 {
		every = DefaultSweepEvery
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &Sweeper{store: store, accounts: svc, clock: clock, every: every, holder: host + "/" + hex.EncodeToString(b), log: log}
}

// Run sweeps at once and then every interval until ctx is done. A failed
// round is logged and the next one tries again.
func (w *Sweeper) Run(ctx context.Context) error {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		if _, _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("sweeper: round failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunOnce takes or renews the lease and, when it holds it, sweeps once.
// ran is false when another node holds the lease.
func (w *Sweeper) RunOnce(ctx context.Context) (ran bool, res accounts.SweepResult, err error) {
	ok, err := w.store.TryLease(ctx, SweepLease, w.holder, w.clock.Now(), w.every)
	if err != nil || !ok {
		return false, res, err
	}
	res, err = w.accounts.Sweep(ctx)
	if err == nil && (res.Expired+res.Dormant+res.Warned) > 0 {
		w.log.Info("sweeper: round done", slog.Int("checked", res.Checked), slog.Int("expired", res.Expired),
			slog.Int("dormant", res.Dormant), slog.Int("warned", res.Warned))
	}
	return true, res, err
}
