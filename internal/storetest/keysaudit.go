package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var keyAuditTests = []suiteTest{
	{"SigningKey/CreateListRetire", testSigningKeys},
	{"Audit/AppendAndList", testAudit},
	{"Ping", testPing},
}

func testSigningKeys(t *testing.T, s domain.Store) {
	ctx := context.Background()
	ks, err := s.ListSigningKeys(ctx)
	must(t, err)
	equal(t, "none", len(ks), 0)

	mk := func(id, alg string, age time.Duration) *domain.SigningKey {
		return &domain.SigningKey{ID: id, Alg: alg, PrivatePEM: "-----BEGIN PRIVATE KEY-----\n" + id + "\n-----END PRIVATE KEY-----\n",
			CreatedAt: t0.Add(-age)}
	}
	mid, newest, oldest := mk("k2", "ES256", time.Hour), mk("k3", "RS256", 0), mk("k1", "RS256", 2*time.Hour)
	for _, k := range []*domain.SigningKey{mid, newest, oldest} {
		must(t, s.CreateSigningKey(ctx, k))
	}
	wantCode(t, s.CreateSigningKey(ctx, mid), domain.ECONFLICT, "same id")

	must(t, s.RetireSigningKey(ctx, oldest.ID, t0))
	must(t, s.RetireSigningKey(ctx, oldest.ID, t0.Add(time.Minute)))
	oldest.RetiredAt = ptr(t0)
	ks, err = s.ListSigningKeys(ctx)
	must(t, err)
	equal(t, "newest first, retired still listed", ks, []*domain.SigningKey{newest, mid, oldest})
	wantCode(t, s.RetireSigningKey(ctx, "none", t0), domain.ENOTFOUND, "retire missing")
}

func testAudit(t *testing.T, s domain.Store) {
	ctx := context.Background()
	es, err := s.ListAudit(ctx, domain.AuditFilter{})
	must(t, err)
	equal(t, "empty", len(es), 0)

	events := []*domain.AuditEvent{
		{Time: t0, Type: domain.AuditAccountCreate, AccountID: "a", IP: "192.0.2.1"},
		{Time: t0, Type: domain.AuditSignInFailure, AccountID: "a", ClientID: "member", Detail: "wrong password"},
		{Time: t0.Add(time.Second), Type: domain.AuditSignInFailure, AccountID: "b"},
		{Time: t0.Add(time.Second), Type: domain.AuditAccountLocked, AccountID: "a", ActorID: "staff-1"},
		{Time: t0.Add(2 * time.Second), Type: domain.AuditSignInSuccess, AccountID: "b"},
	}
	var last int64
	for _, e := range events {
		must(t, s.AppendAudit(ctx, e))
		if e.ID <= last {
			t.Fatalf("id %d after %d: ids must increase", e.ID, last)
		}
		last = e.ID
	}
	rev := func(idx ...int) []*domain.AuditEvent {
		var out []*domain.AuditEvent
		for _, i := range idx {
			out = append(out, events[i])
		}
		return out
	}
	cases := []struct {
		name string
		f    domain.AuditFilter
		want []*domain.AuditEvent
	}{
		{"All", domain.AuditFilter{}, rev(4, 3, 2, 1, 0)},
		{"Account", domain.AuditFilter{AccountID: "a"}, rev(3, 1, 0)},
		{"Type", domain.AuditFilter{Type: domain.AuditSignInFailure}, rev(2, 1)},
		{"AccountAndType", domain.AuditFilter{AccountID: "b", Type: domain.AuditSignInFailure}, rev(2)},
		{"Limit", domain.AuditFilter{Limit: 2}, rev(4, 3)},
		{"NoMatch", domain.AuditFilter{AccountID: "nobody"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListAudit(ctx, tc.f)
			must(t, err)
			equal(t, "events", got, tc.want)
		})
	}
}

func testPing(t *testing.T, s domain.Store) {
	must(t, s.Ping(context.Background()))
}
