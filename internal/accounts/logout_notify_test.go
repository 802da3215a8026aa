package accounts

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func TestSSO3_EndSessionNotifiesOnceInItsTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, sess := e.start(t, e.active(t, "ana@example.com"))
	var got [][]string
	e.svc.SetLogoutNotifier(func(ctx context.Context, tx domain.Store, ids []string) error {
		if tx == e.store {
			t.Error("the notifier got the Store, not the transaction's")
		}
		got = append(got, slices.Clone(ids))
		return nil
	})
	if err := e.svc.EndSession(ctx, sess.ID, Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.EndSession(ctx, sess.ID, Meta{}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !slices.Equal(got[0], []string{sess.ID}) {
		t.Fatalf("notified %v, want [[%s]] once", got, sess.ID)
	}
}

func TestSSO3_FailedNotifyKeepsTheSession(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cookie, sess := e.start(t, e.active(t, "ana@example.com"))
	e.svc.SetLogoutNotifier(func(context.Context, domain.Store, []string) error { return errors.New("disk full") })
	if err := e.svc.EndSession(ctx, sess.ID, Meta{}); err == nil {
		t.Fatal("EndSession succeeded though its notices could not be recorded")
	}
	if !e.alive(t, cookie) {
		t.Fatal("the session ended without its back-channel notices")
	}
	e.svc.SetLogoutNotifier(nil)
	if err := e.svc.EndSession(ctx, sess.ID, Meta{}); err != nil || e.alive(t, cookie) {
		t.Fatalf("EndSession without a notifier: %v", err)
	}
}
