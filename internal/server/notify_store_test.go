package server

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

func TestEnqueueWakesTheMailWorkerAfterTheCommit(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wakes atomic.Int32
	store := notifyOnEnqueue(db, func() { wakes.Add(1) })
	msg := func() *domain.Message {
		return &domain.Message{To: "ana@example.org", Subject: "s", Text: "t", HTML: "<p>t</p>",
			CreatedAt: time.Now().UTC(), NextAttemptAt: time.Now().UTC()}
	}

	if err := store.EnqueueMessage(ctx, msg()); err != nil {
		t.Fatal(err)
	}
	if n := wakes.Load(); n != 1 {
		t.Fatalf("outside a transaction: %d wake-ups, want 1", n)
	}

	err = store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.EnqueueMessage(ctx, msg()); err != nil {
			return err
		}
		if err := tx.InTx(ctx, func(tx domain.Store) error { return tx.EnqueueMessage(ctx, msg()) }); err != nil {
			return err
		}
		if n := wakes.Load(); n != 1 {
			t.Errorf("before the commit: %d wake-ups, want still 1", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := wakes.Load(); n != 2 {
		t.Fatalf("after the commit: %d wake-ups, want 2 (one per transaction)", n)
	}

	rollback := errors.New("roll back")
	err = store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.EnqueueMessage(ctx, msg()); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) || wakes.Load() != 2 {
		t.Fatalf("rolled back: err %v, %d wake-ups, want 2", err, wakes.Load())
	}
}
