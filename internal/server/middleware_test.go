package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

func TestPanicBecomesA500Page(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := observe(log, NewMetrics(), recoverPanics(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `role="alert"`) {
		t.Fatalf("panic gave %d %q, want the 500 page", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logs.String(), `"panic":"boom"`) || !strings.Contains(logs.String(), `"status":500`) {
		t.Errorf("the panic and the 500 are not logged:\n%s", logs.String())
	}
}

func TestChunkedBodyIsCappedAt64KiB(t *testing.T) {
	var readErr error
	h := limitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, readErr = io.ReadAll(r.Body)
	}))
	req := httptest.NewRequest(http.MethodPost, "/x", io.MultiReader(strings.NewReader(strings.Repeat("a", MaxBodyBytes+1))))
	req.ContentLength = -1 // unknown, as with chunked encoding
	h.ServeHTTP(httptest.NewRecorder(), req)
	var mbe *http.MaxBytesError
	if !errors.As(readErr, &mbe) {
		t.Fatalf("reading past 64 KiB gave %v, want *http.MaxBytesError", readErr)
	}
}

func TestSignInMetricsCountCommittedAuditEventsOnly(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := NewMetrics()
	store := countAudits(db, m)
	now := time.Now().UTC()
	ev := func(typ, detail string) *domain.AuditEvent {
		return &domain.AuditEvent{Time: now, Type: typ, Detail: detail}
	}
	for _, e := range []*domain.AuditEvent{
		ev(domain.AuditSignInSuccess, ""),
		ev(domain.AuditSignInFailure, "wrong password"),
		ev(domain.AuditSignInFailure, accounts.KeyLoginLocked),
		ev(domain.AuditSignInFailure, accounts.KeyLoginPending),
		ev(domain.AuditAccountLocked, domain.LockFailedAttempts),
	} {
		if err := store.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Committed inside a transaction (nested too): counted.
	err = store.InTx(ctx, func(tx domain.Store) error {
		return tx.InTx(ctx, func(tx domain.Store) error { return tx.AppendAudit(ctx, ev(domain.AuditSignInSuccess, "")) })
	})
	if err != nil {
		t.Fatal(err)
	}
	// Rolled back: not counted.
	rollback := errors.New("roll back")
	err = store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.AppendAudit(ctx, ev(domain.AuditSignInSuccess, "")); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("InTx = %v", err)
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{
		`entrykeyid_signins_total{outcome="success"} 2`,
		`entrykeyid_signins_total{outcome="failure"} 1`,
		`entrykeyid_signins_total{outcome="locked"} 1`,
		`entrykeyid_signins_total{outcome="refused"} 1`,
		`entrykeyid_account_locks_total 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
