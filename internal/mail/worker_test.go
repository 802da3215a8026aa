package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func mustStore(t *testing.T) domain.Store {
	t.Helper()
	db, err := sqlstore.OpenSQLite(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustEnqueue puts n composed messages into the outbox, due at once.
func mustEnqueue(t *testing.T, store domain.Store, clock domain.Clock, n int) []int64 {
	t.Helper()
	c := NewComposer(DefaultFrom)
	var ids []int64
	for i := range n {
		m, err := c.Compose(fmt.Sprintf("user%d@example.com", i), "en", "activate", map[string]any{
			"Link": fmt.Sprintf("http://127.0.0.1:8080/activate?token=secret-%d", i), "ExpiresDays": 7,
		})
		if err != nil {
			t.Fatal(err)
		}
		m.CreatedAt = clock.Now()
		if err := store.EnqueueMessage(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	return ids
}

func mustMessage(t *testing.T, store domain.Store, id int64) *domain.Message {
	t.Helper()
	m, err := store.MessageByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// failingSender fails its first n sends, then hands messages to next.
type failingSender struct {
	mu   sync.Mutex
	n    int
	next domain.Sender
}

func (s *failingSender) Send(ctx context.Context, m *domain.Message) error {
	s.mu.Lock()
	fail := s.n > 0
	s.n--
	s.mu.Unlock()
	if fail {
		return errors.New("451 relay says try later")
	}
	return s.next.Send(ctx, m)
}

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLog(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestWorker_DeliversAndMarksSent(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	ids := mustEnqueue(t, store, clock, 25) // more than one batch
	dir := t.TempDir()
	var logs logBuffer
	w := NewWorker(store, NewFileSender(dir), clock, newLog(&logs))
	n, err := w.Flush(context.Background())
	if err != nil || n != 25 {
		t.Fatalf("Flush = %d, %v; want 25", n, err)
	}
	if files := emlFiles(t, dir); len(files) != 25 {
		t.Errorf("%d files, want 25", len(files))
	}
	for _, id := range ids {
		if m := mustMessage(t, store, id); m.SentAt == nil || !m.SentAt.Equal(t0) {
			t.Errorf("message %d SentAt = %v, want %v", id, m.SentAt, t0)
		}
	}
	if n, err := w.Flush(context.Background()); err != nil || n != 0 {
		t.Errorf("second Flush = %d, %v; want 0", n, err)
	}
	checkLogsClean(t, logs.String())
}

// TestM2_SentMessageKeepsNoLinkInTheDatabase: once delivered, a message's
// bodies (and the live link in them) are gone from the outbox; failed
// deliveries keep them for the retry.
func TestM2_SentMessageKeepsNoLinkInTheDatabase(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	ids := mustEnqueue(t, store, clock, 2)
	rec := &Recorder{}
	w := NewWorker(store, &failingSender{n: 1, next: rec}, clock, nil)
	if n, err := w.Flush(context.Background()); err != nil || n != 1 {
		t.Fatalf("Flush = %d, %v; want 1 sent, 1 failed", n, err)
	}
	var sent, failed *domain.Message
	for _, id := range ids {
		if m := mustMessage(t, store, id); m.SentAt != nil {
			sent = m
		} else {
			failed = m
		}
	}
	if sent == nil || failed == nil {
		t.Fatal("want one message sent and one failed")
	}
	if sent.Text != "" || sent.HTML != "" || sent.To == "" || sent.Subject == "" {
		t.Errorf("sent message %+v: want no bodies, the address and subject kept", sent)
	}
	if !strings.Contains(rec.Messages()[0].Text, "/activate?token=secret-") {
		t.Errorf("the sender did not get the link")
	}
	if !strings.Contains(failed.Text, "/activate?token=secret-") || failed.HTML == "" {
		t.Errorf("failed message lost its bodies before delivery: %+v", failed)
	}
}

// checkLogsClean fails when a log line carries a link, its secret, a
// recipient or a body.
func checkLogsClean(t *testing.T, logs string) {
	t.Helper()
	for _, secret := range []string{"secret-", "/activate", "example.com", "Activate your account", "Hello"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
}

func TestWorker_RetriesWithBackoff(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	ids := mustEnqueue(t, store, clock, 1)
	rec := &Recorder{}
	var logs logBuffer
	w := NewWorker(store, &failingSender{n: 3, next: rec}, clock, newLog(&logs))
	ctx := context.Background()

	// Three failures, each retried at its boundary and not a second before.
	for i, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		if n, err := w.Flush(ctx); err != nil || n != 0 {
			t.Fatalf("failure %d: Flush = %d, %v; want 0 sent", i+1, n, err)
		}
		m := mustMessage(t, store, ids[0])
		if m.Attempts != i+1 || !m.NextAttemptAt.Equal(clock.Now().Add(wait)) || m.SentAt != nil {
			t.Fatalf("after failure %d: attempts %d, next %v (want %v), sent %v",
				i+1, m.Attempts, m.NextAttemptAt, clock.Now().Add(wait), m.SentAt)
		}
		if !strings.Contains(m.LastError, "451") {
			t.Errorf("LastError = %q", m.LastError)
		}
		clock.Advance(wait - time.Second)
		if n, _ := w.Flush(ctx); n != 0 || len(rec.Messages()) != 0 {
			t.Fatalf("failure %d: retried a second early", i+1)
		}
		clock.Advance(time.Second)
	}
	if n, err := w.Flush(ctx); err != nil || n != 1 {
		t.Fatalf("Flush after backoff = %d, %v; want 1", n, err)
	}
	if got := rec.Messages(); len(got) != 1 || got[0].ID != ids[0] {
		t.Fatalf("recorded %v", got)
	}
	if m := mustMessage(t, store, ids[0]); m.SentAt == nil || m.Attempts != 3 {
		t.Errorf("sent %v attempts %d", m.SentAt, m.Attempts)
	}
	if strings.Count(logs.String(), "level=WARN") != 3 {
		t.Errorf("want three warnings:\n%s", logs.String())
	}
	checkLogsClean(t, logs.String())
}

func TestWorker_Backoff(t *testing.T) {
	for failures, want := range map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute,
		7: 32 * time.Minute, 8: time.Hour, 9: time.Hour, 10: time.Hour, 1000: time.Hour,
	} {
		if got := backoff(failures); got != want {
			t.Errorf("backoff(%d) = %v, want %v", failures, got, want)
		}
	}
}

// After ten failures the worker keeps trying every hour and says so at
// error level.
func TestWorker_KeepsRetryingHourlyAndAlarms(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	ids := mustEnqueue(t, store, clock, 1)
	var logs logBuffer
	w := NewWorker(store, &failingSender{n: 12, next: &Recorder{}}, clock, newLog(&logs))
	for i := 1; i <= 12; i++ {
		if n, _ := w.Flush(context.Background()); n != 0 {
			t.Fatalf("attempt %d sent", i)
		}
		m := mustMessage(t, store, ids[0])
		if m.Attempts != i {
			t.Fatalf("attempts = %d, want %d", m.Attempts, i)
		}
		if wait := m.NextAttemptAt.Sub(clock.Now()); wait != backoff(i) || (i >= 8 && wait != time.Hour) {
			t.Fatalf("after failure %d: next attempt in %v", i, wait)
		}
		clock.Set(m.NextAttemptAt)
	}
	out := logs.String()
	if got := strings.Count(out, "level=WARN"); got != 9 {
		t.Errorf("%d warnings, want 9 (failures 1-9)", got)
	}
	if got := strings.Count(out, "level=ERROR"); got != 3 {
		t.Errorf("%d errors, want 3 (failures 10-12):\n%s", got, out)
	}
	if n, _ := w.Flush(context.Background()); n != 1 {
		t.Error("the 13th attempt should send")
	}
}

// countingSender counts sends per message id, slowly enough that workers
// overlap.
type countingSender struct {
	mu    sync.Mutex
	count map[int64]int
}

func (s *countingSender) Send(ctx context.Context, m *domain.Message) error {
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	s.count[m.ID]++
	s.mu.Unlock()
	return nil
}

func TestWorker_ConcurrentWorkersSendEachMessageOnce(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	ids := mustEnqueue(t, store, clock, 60)
	sender := &countingSender{count: map[int64]int{}}
	var wg sync.WaitGroup
	totals := make([]int, 4)
	for i := range totals {
		wg.Go(func() {
			w := NewWorker(store, sender, clock, nil)
			n, err := w.Flush(context.Background())
			if err != nil {
				t.Error(err)
			}
			totals[i] = n
		})
	}
	wg.Wait()
	sum := 0
	for _, n := range totals {
		sum += n
	}
	if sum != len(ids) {
		t.Errorf("workers sent %v = %d in all, want %d", totals, sum, len(ids))
	}
	for _, id := range ids {
		if c := sender.count[id]; c != 1 {
			t.Errorf("message %d sent %d times", id, c)
		}
	}
}

// blockingSender blocks until its context ends, as a relay that hangs
// while the process is stopped.
type blockingSender struct{ started chan struct{} }

func (s *blockingSender) Send(ctx context.Context, m *domain.Message) error {
	close(s.started)
	<-ctx.Done()
	return ctx.Err()
}

func TestWorker_StoppedWorkerLosesNothing(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	ids := mustEnqueue(t, store, clock, 1)
	ctx, cancel := context.WithCancel(context.Background())
	first := NewWorker(store, &blockingSender{started: make(chan struct{})}, clock, nil)
	done := make(chan error)
	go func() { done <- first.Run(ctx) }()
	<-first.sender.(*blockingSender).started
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	m := mustMessage(t, store, ids[0])
	if m.SentAt != nil || m.Attempts != 0 {
		t.Fatalf("after stop: sent %v, attempts %d; want unsent, no failure counted", m.SentAt, m.Attempts)
	}

	rec := &Recorder{}
	next := NewWorker(store, rec, clock, nil)
	if n, _ := next.Flush(context.Background()); n != 0 {
		t.Fatal("the claim of the stopped worker was not respected")
	}
	clock.Advance(time.Minute) // the claim runs out
	if n, err := next.Flush(context.Background()); err != nil || n != 1 {
		t.Fatalf("next worker Flush = %d, %v; want 1", n, err)
	}
	if got := rec.Messages(); len(got) != 1 || got[0].ID != ids[0] {
		t.Errorf("next worker sent %v", got)
	}
}

// cancellingSender accepts the message and then the process is told to
// stop: the message must still be marked sent, or it would go out twice.
type cancellingSender struct {
	Recorder
	cancel context.CancelFunc
}

func (s *cancellingSender) Send(ctx context.Context, m *domain.Message) error {
	err := s.Recorder.Send(ctx, m)
	s.cancel()
	return err
}

func TestWorker_MessageAcceptedWhileStoppingIsMarkedSent(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	ids := mustEnqueue(t, store, clock, 2)
	ctx, cancel := context.WithCancel(context.Background())
	sender := &cancellingSender{cancel: cancel}
	n, err := NewWorker(store, sender, clock, nil).Flush(ctx)
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Fatalf("Flush = %d, %v; want 1, context.Canceled", n, err)
	}
	if m := mustMessage(t, store, ids[0]); m.SentAt == nil {
		t.Error("the accepted message is not marked sent")
	}
	if m := mustMessage(t, store, ids[1]); m.SentAt != nil || m.Attempts != 0 {
		t.Error("the second message should be left untouched for the next worker")
	}
}

func TestWorker_RunDeliversOnNotify(t *testing.T) {
	store, clock := mustStore(t), domain.NewFixedClock(t0)
	rec := &Recorder{}
	w := NewWorker(store, rec, clock, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	time.Sleep(50 * time.Millisecond) // let the first poll pass
	mustEnqueue(t, store, clock, 1)
	w.Notify()
	w.Notify() // never blocks
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Run did not deliver")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
