package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var txTests = []suiteTest{
	{"InTx/CommitKeepsEverything", testTxCommit},
	{"InTx/ErrorRollsBackEverything", testTxRollback},
	{"InTx/NestedRunsInTheSameTx", testTxNested},
	{"InTx/PanicRollsBack", testTxPanic},
	{"InTx/ConcurrentWriters", testTxConcurrent},
}

// written is what writeAll created, to look for afterwards.
type written struct {
	account *domain.Account
	link    *domain.Link
	message *domain.Message
}

// writeAll does what a sign-up does in one transaction: an account, its
// activation link, an email and an audit event.
func writeAll(t *testing.T, tx domain.Store) written {
	t.Helper()
	ctx := context.Background()
	a := createAccount(t, tx)
	got, err := tx.AccountByID(ctx, a.ID)
	must(t, err)
	equal(t, "reads its own write", got.ID, a.ID)
	l := newLink(a.ID, domain.LinkActivate, time.Hour)
	must(t, tx.CreateLink(ctx, l))
	m := newMessage(t0)
	must(t, tx.EnqueueMessage(ctx, m))
	must(t, tx.AppendAudit(ctx, &domain.AuditEvent{Time: t0, Type: domain.AuditAccountCreate, AccountID: a.ID}))
	return written{a, l, m}
}

// present fails unless every row of w exists (want true) or none does.
func present(t *testing.T, s domain.Store, w written, want bool) {
	t.Helper()
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if want {
			must(t, err)
		} else {
			wantCode(t, err, domain.ENOTFOUND, what)
		}
	}
	_, err := s.AccountByID(ctx, w.account.ID)
	check("account", err)
	_, err = s.LinkByDigest(ctx, w.link.Digest)
	check("link", err)
	_, err = s.MessageByID(ctx, w.message.ID)
	check("message", err)
	es, err := s.ListAudit(ctx, domain.AuditFilter{AccountID: w.account.ID})
	must(t, err)
	equal(t, "audit events", len(es) == 1, want)
}

func testTxCommit(t *testing.T, s domain.Store) {
	var w written
	must(t, s.InTx(context.Background(), func(tx domain.Store) error {
		w = writeAll(t, tx)
		return nil
	}))
	present(t, s, w, true)
}

func testTxRollback(t *testing.T, s domain.Store) {
	boom := errors.New("boom")
	var w written
	err := s.InTx(context.Background(), func(tx domain.Store) error {
		w = writeAll(t, tx)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	present(t, s, w, false)
	n, err := s.CountAccounts(context.Background())
	must(t, err)
	equal(t, "accounts", n, 0)
}

func testTxNested(t *testing.T, s domain.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	var w written
	err := s.InTx(ctx, func(tx domain.Store) error {
		must(t, tx.InTx(ctx, func(inner domain.Store) error {
			w = writeAll(t, inner)
			return nil
		}))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	present(t, s, w, false)

	err = s.InTx(ctx, func(tx domain.Store) error {
		w = writeAll(t, tx)
		return tx.InTx(ctx, func(domain.Store) error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Fatalf("inner error not returned: %v", err)
	}
	present(t, s, w, false)
}

func testTxPanic(t *testing.T, s domain.Store) {
	var w written
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic swallowed")
			}
		}()
		s.InTx(context.Background(), func(tx domain.Store) error {
			w = writeAll(t, tx)
			panic("boom")
		})
	}()
	present(t, s, w, false)
}

// Transactions that read and then write at once all commit: the store
// waits rather than failing with a lock error.
func testTxConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	const n = 10
	parallel(n, func(i int) {
		err := s.InTx(ctx, func(tx domain.Store) error {
			got, err := tx.AccountByID(ctx, a.ID)
			if err != nil {
				return err
			}
			got.Phone += "x"
			if err := tx.UpdateAccount(ctx, got); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, &domain.AuditEvent{Time: t0, Type: "test", AccountID: a.ID})
		})
		if err != nil {
			t.Errorf("tx %d: %v", i, err)
		}
	})
	got, err := s.AccountByID(ctx, a.ID)
	must(t, err)
	es, err := s.ListAudit(ctx, domain.AuditFilter{Type: "test"})
	must(t, err)
	equal(t, "audit events", len(es), n)
	if len(got.Phone) < 1 {
		t.Fatal("no update kept")
	}
}
