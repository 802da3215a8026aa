package mail

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Delivery timing. The lease is how long a claimed message stays hidden
// from other workers; a send is cut off well before it ends, so a message
// is only ever handed to a second worker when the first has given up on
// it or died.
const (
	pollInterval  = time.Second
	claimBatch    = 20
	claimLease    = time.Minute
	sendTimeout   = 30 * time.Second
	markTimeout   = 5 * time.Second
	firstBackoff  = 30 * time.Second
	maxBackoff    = time.Hour
	alarmAttempts = 10 // from this many failures on, each one is logged as an error
	maxReasonLen  = 500
)

// Worker delivers the outbox. Any number of workers, in one process or on
// several nodes sharing a database, may run at once: a message is claimed
// atomically (store.ClaimMessages) before it is sent, so no two workers
// send it at the same time. A message is marked sent only after the sender
// accepted it, so a worker that stops or dies mid-way loses nothing: the
// message stays unsent, its claim runs out after a minute and the next
// worker sends it. (It may then be sent twice if the process died between
// the relay's acceptance and the mark; its Message-ID stays the same.)
//
// A failed send is retried after 30s, 1m, 2m, 4m ... at most 1h apart,
// for ever; from the tenth failure on each one is logged at error level.
// Log lines carry the message id, attempt count and error, never the
// recipient, body or link.
type Worker struct {
	store  domain.Store
	sender domain.Sender
	clock  domain.Clock
	log    *slog.Logger
	wake   chan struct{}
}

// NewWorker returns a worker that takes messages from store and hands them
// to sender. A nil log discards.
func NewWorker(store domain.Store, sender domain.Sender, clock domain.Clock, log *slog.Logger) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{store: store, sender: sender, clock: clock, log: log, wake: make(chan struct{}, 1)}
}

// Notify wakes a running worker at once instead of at its next poll; call
// it after enqueueing a message. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers due messages every second, and at once after Notify, until
// ctx is done; then it returns nil. Store and sender errors are logged and
// retried, never returned. Messages claimed but not yet sent when ctx ends
// are left to their lease.
func (w *Worker) Run(ctx context.Context) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		if _, err := w.Flush(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("mail: outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-w.wake:
		}
	}
}

// Flush claims and sends every message due at the clock's now, batch after
// batch, until none is left, and returns how many were sent. A message
// whose send fails is rescheduled (not counted, not an error); the error
// is for the store or ctx failing.
func (w *Worker) Flush(ctx context.Context) (int, error) {
	sent := 0
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		batch, err := w.store.ClaimMessages(ctx, w.clock.Now(), claimBatch, claimLease)
		if err != nil {
			return sent, fmt.Errorf("mail: claim outbox messages: %w", err)
		}
		for _, m := range batch {
			if err := ctx.Err(); err != nil {
				return sent, err
			}
			if w.deliver(ctx, m) {
				sent++
			}
		}
		if len(batch) < claimBatch {
			return sent, nil
		}
	}
}

// deliver sends one claimed message and records the outcome. It reports
// whether the message was sent.
func (w *Worker) deliver(ctx context.Context, m *domain.Message) bool {
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	err := w.sender.Send(sendCtx, m)
	cancel()
	// The outcome is recorded even when ctx has just ended: a message that
	// went out must not stay unsent in the outbox and go out again.
	markCtx, cancelMark := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancelMark()
	if err == nil {
		if err := w.store.MarkMessageSent(markCtx, m.ID, w.clock.Now()); err != nil {
			w.log.Error("mail: sent but not marked sent; it will be sent again", "message_id", m.ID, "err", err)
		} else {
			w.log.Info("mail: sent", "message_id", m.ID, "attempts", m.Attempts+1)
		}
		return true
	}
	if ctx.Err() != nil {
		// Stopping: the claim runs out and the next worker sends it.
		w.log.Info("mail: send interrupted by shutdown; left for the next worker", "message_id", m.ID)
		return false
	}
	failures := m.Attempts + 1
	delay := backoff(failures)
	next := w.clock.Now().Add(delay)
	if err := w.store.MarkMessageFailed(markCtx, m.ID, next, reason(err)); err != nil {
		w.log.Error("mail: record failed send", "message_id", m.ID, "err", err)
		return false
	}
	level := slog.LevelWarn
	if failures >= alarmAttempts {
		level = slog.LevelError
	}
	w.log.Log(ctx, level, "mail: send failed; will retry", "message_id", m.ID,
		"attempts", failures, "retry_in", delay.String(), "err", err)
	return false
}

// backoff is the wait after the given number of failures: 30s doubled for
// each failure after the first, at most an hour.
func backoff(failures int) time.Duration {
	d := firstBackoff
	for i := 1; i < failures && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func reason(err error) string {
	s := err.Error()
	if len(s) > maxReasonLen {
		s = strings.ToValidUTF8(s[:maxReasonLen], "")
	}
	return s
}
