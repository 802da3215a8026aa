package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var outboxTests = []suiteTest{
	{"Outbox/EnqueueAndGet", testOutboxEnqueue},
	{"Outbox/ClaimLease", testOutboxClaimLease},
	{"Outbox/SentAndFailed", testOutboxSentFailed},
	{"Outbox/ClaimLimitOldestFirst", testOutboxClaimLimit},
	{"Outbox/ConcurrentClaimsTakeEachOnce", testOutboxConcurrentClaims},
	{"Outbox/Missing", testOutboxMissing},
	{"Outbox/SentClearsBodies", testOutboxSentClearsBodies},
	{"Outbox/CountMessagesTo", testOutboxCountTo},
	{"Outbox/CountThenEnqueueExactUnderConcurrency", testOutboxCountConcurrent},
}

func newMessage(due time.Time) *domain.Message {
	return &domain.Message{
		To:            "ana@example.com",
		Subject:       "Activate your account",
		Text:          "Open the link.",
		HTML:          "<p>Open the link.</p>",
		CreatedAt:     t0,
		NextAttemptAt: due,
	}
}

func enqueue(t *testing.T, s domain.Store, due time.Time) *domain.Message {
	t.Helper()
	m := newMessage(due)
	must(t, s.EnqueueMessage(context.Background(), m))
	if m.ID == 0 {
		t.Fatal("EnqueueMessage did not set the id")
	}
	return m
}

func ids(ms []*domain.Message) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func testOutboxEnqueue(t *testing.T, s domain.Store) {
	ctx := context.Background()
	m := enqueue(t, s, t0)
	got, err := s.MessageByID(ctx, m.ID)
	must(t, err)
	equal(t, "stored", got, m)
	n := enqueue(t, s, t0)
	if n.ID <= m.ID {
		t.Fatalf("ids %d then %d: must increase", m.ID, n.ID)
	}
}

// A claimed message is not claimed again until its lease ends.
func testOutboxClaimLease(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := enqueue(t, s, t0.Add(-time.Minute))
	b := enqueue(t, s, t0)
	later := enqueue(t, s, t0.Add(time.Hour))

	got, err := s.ClaimMessages(ctx, t0, 10, time.Minute)
	must(t, err)
	equal(t, "claimed", ids(got), []int64{a.ID, b.ID})
	for _, m := range got {
		equal(t, "lease", m.NextAttemptAt, t0.Add(time.Minute))
	}

	got, err = s.ClaimMessages(ctx, t0.Add(time.Minute-time.Second), 10, time.Minute)
	must(t, err)
	equal(t, "during the lease", len(got), 0)

	got, err = s.ClaimMessages(ctx, t0.Add(time.Minute), 10, time.Minute)
	must(t, err)
	equal(t, "after the lease", ids(got), []int64{a.ID, b.ID})

	got, err = s.ClaimMessages(ctx, t0.Add(time.Hour), 10, time.Minute)
	must(t, err)
	equal(t, "leases ended and the later one due", ids(got), []int64{a.ID, b.ID, later.ID})
}

func testOutboxSentFailed(t *testing.T, s domain.Store) {
	ctx := context.Background()
	sent := enqueue(t, s, t0)
	failed := enqueue(t, s, t0)
	_, err := s.ClaimMessages(ctx, t0, 10, time.Minute)
	must(t, err)

	must(t, s.MarkMessageSent(ctx, sent.ID, t0.Add(time.Second)))
	must(t, s.MarkMessageFailed(ctx, failed.ID, t0.Add(5*time.Minute), "451 try later"))
	must(t, s.MarkMessageFailed(ctx, failed.ID, t0.Add(10*time.Minute), "421 busy"))

	got, err := s.MessageByID(ctx, sent.ID)
	must(t, err)
	sameTime(t, "sent at", got.SentAt, t0.Add(time.Second))
	got, err = s.MessageByID(ctx, failed.ID)
	must(t, err)
	equal(t, "attempts", got.Attempts, 2)
	equal(t, "next attempt", got.NextAttemptAt, t0.Add(10*time.Minute))
	equal(t, "last error", got.LastError, "421 busy")
	if got.SentAt != nil {
		t.Fatal("failed message marked sent")
	}

	claimed, err := s.ClaimMessages(ctx, t0.Add(10*time.Minute-time.Second), 10, time.Minute)
	must(t, err)
	equal(t, "before the retry", len(claimed), 0)
	claimed, err = s.ClaimMessages(ctx, t0.Add(time.Hour), 10, time.Minute)
	must(t, err)
	equal(t, "sent one never again", ids(claimed), []int64{failed.ID})
}

func testOutboxClaimLimit(t *testing.T, s domain.Store) {
	ctx := context.Background()
	var all []*domain.Message
	for i := range 5 {
		all = append(all, enqueue(t, s, t0.Add(-time.Duration(5-i)*time.Second)))
	}
	got, err := s.ClaimMessages(ctx, t0, 2, time.Minute)
	must(t, err)
	equal(t, "first two", ids(got), ids(all[:2]))
	got, err = s.ClaimMessages(ctx, t0, 2, time.Minute)
	must(t, err)
	equal(t, "next two", ids(got), ids(all[2:4]))
	got, err = s.ClaimMessages(ctx, t0, 0, time.Minute)
	must(t, err)
	equal(t, "limit 0", len(got), 0)
}

// Workers claiming at once never take the same message twice.
func testOutboxConcurrentClaims(t *testing.T, s domain.Store) {
	ctx := context.Background()
	const n = 30
	for range n {
		enqueue(t, s, t0)
	}
	var mu sync.Mutex
	taken := map[int64]int{}
	parallel(6, func(int) {
		for {
			got, err := s.ClaimMessages(ctx, t0, 3, time.Hour)
			if err != nil {
				t.Errorf("claim: %v", err)
				return
			}
			if len(got) == 0 {
				return
			}
			mu.Lock()
			for _, m := range got {
				taken[m.ID]++
			}
			mu.Unlock()
		}
	})
	equal(t, "messages claimed", len(taken), n)
	for id, times := range taken {
		if times != 1 {
			t.Errorf("message %d claimed %d times", id, times)
		}
	}
}

func testOutboxMissing(t *testing.T, s domain.Store) {
	ctx := context.Background()
	_, err := s.MessageByID(ctx, 4242)
	wantCode(t, err, domain.ENOTFOUND, "get")
	wantCode(t, s.MarkMessageSent(ctx, 4242, t0), domain.ENOTFOUND, "sent")
	wantCode(t, s.MarkMessageFailed(ctx, 4242, t0, "x"), domain.ENOTFOUND, "failed")
}

// Once sent, a message keeps no body: the bodies hold live link secrets.
// Its address, subject and times stay; an unsent one keeps its bodies.
func testOutboxSentClearsBodies(t *testing.T, s domain.Store) {
	ctx := context.Background()
	sent := enqueue(t, s, t0)
	waiting := enqueue(t, s, t0)
	must(t, s.MarkMessageFailed(ctx, sent.ID, t0, "421 busy"))
	must(t, s.MarkMessageSent(ctx, sent.ID, t0.Add(time.Minute)))

	got, err := s.MessageByID(ctx, sent.ID)
	must(t, err)
	want := *sent
	want.Text, want.HTML = "", ""
	want.Attempts, want.SentAt = 1, ptr(t0.Add(time.Minute))
	equal(t, "sent message", got, &want)

	got, err = s.MessageByID(ctx, waiting.ID)
	must(t, err)
	equal(t, "unsent message", got, waiting)
}

// CountMessagesTo counts messages to exactly one address made after
// since, sent or not: one made at since itself is not counted.
func testOutboxCountTo(t *testing.T, s domain.Store) {
	ctx := context.Background()
	at := func(to string, created time.Time) *domain.Message {
		m := newMessage(created)
		m.To, m.CreatedAt = to, created
		must(t, s.EnqueueMessage(ctx, m))
		return m
	}
	old := at("ana@example.com", t0.Add(-time.Hour-time.Second))
	edge := at("ana@example.com", t0.Add(-time.Hour))
	at("ana@example.com", t0)
	at("ANA@example.com", t0)
	at("bea@example.com", t0)
	must(t, s.MarkMessageSent(ctx, edge.ID, t0))
	must(t, s.MarkMessageSent(ctx, old.ID, t0))

	for _, tc := range []struct {
		to    string
		since time.Time
		want  int
	}{
		{"ana@example.com", t0.Add(-time.Hour - time.Microsecond), 2},
		{"ana@example.com", t0.Add(-time.Hour), 1},
		{"ana@example.com", t0.Add(-2 * time.Hour), 3},
		{"ANA@example.com", t0.Add(-2 * time.Hour), 1},
		{"nobody@example.com", t0.Add(-2 * time.Hour), 0},
	} {
		n, err := s.CountMessagesTo(ctx, tc.to, tc.since)
		must(t, err)
		equal(t, tc.to+" since "+tc.since.Format(time.RFC3339Nano), n, tc.want)
	}
}

// Transactions that count the messages to an address and enqueue one only
// below a cap never go over it, however many run at once.
func testOutboxCountConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	const limit = 3
	parallel(12, func(int) {
		err := s.InTx(ctx, func(tx domain.Store) error {
			n, err := tx.CountMessagesTo(ctx, "ana@example.com", t0.Add(-time.Hour))
			if err != nil || n >= limit {
				return err
			}
			return tx.EnqueueMessage(ctx, newMessage(t0))
		})
		if err != nil {
			t.Errorf("count and enqueue: %v", err)
		}
	})
	n, err := s.CountMessagesTo(ctx, "ana@example.com", t0.Add(-time.Hour))
	must(t, err)
	equal(t, "messages enqueued under the cap", n, limit)
}
