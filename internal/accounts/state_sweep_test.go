package accounts

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func (e *env) reconfigure(t *testing.T, change func(e *env)) {
	t.Helper()
	change(e)
	e.svc = New(e.store, e.svc.hasher, e.mail, e.clock, e.cfg, nil)
}

func TestPWD4_SweepLocksDormantAccountsOnce(t *testing.T) {
	e := newEnv(t)
	e.reconfigure(t, func(e *env) { e.cfg.Lifecycle.PasswordMaxAgeMember = 1000 * day })
	a := e.active(t, "dorm@example.com")
	b := e.active(t, "recent@example.com")
	e.clock.Advance(300 * day)
	if _, err := e.svc.Authenticate(context.Background(), b.Email, goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(65*day - time.Second) // a: day 364 + 23:59:59
	res, err := e.svc.Sweep(context.Background())
	if err != nil || res.Dormant != 0 || res.Checked != 2 {
		t.Fatalf("day 364: %+v %v", res, err)
	}
	e.clock.Advance(time.Second) // a: day 365
	res, err = e.svc.Sweep(context.Background())
	if err != nil || res.Dormant != 1 {
		t.Fatalf("day 365: %+v %v", res, err)
	}
	if got, _ := e.store.AccountByID(context.Background(), a.ID); got.LockReason != domain.LockDormant {
		t.Errorf("a: lock %q", got.LockReason)
	}
	if s, _ := e.stateOf(t, b.ID); s != StateActive {
		t.Errorf("b: %s", s)
	}
	if res, _ = e.svc.Sweep(context.Background()); res.Dormant != 0 {
		t.Errorf("second sweep locked again: %+v", res)
	}
	e.wantAudits(t, domain.AuditLockDormant, 1)
}

func TestPWD3_SweepLocksExpiredPasswords(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "exp@example.com")
	a.Type = domain.AccountNonMember
	if err := e.store.UpdateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(90 * day)
	res, err := e.svc.Sweep(context.Background())
	if err != nil || res.Expired != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	e.wantAudits(t, domain.AuditPasswordExpired, 1)
}

func TestPWD8_ExpiryWarningOffByDefault(t *testing.T) {
	e := newEnv(t)
	e.active(t, "off@example.com")
	e.clock.Advance(360 * day)
	if res, err := e.svc.Sweep(context.Background()); err != nil || res.Warned != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if n := len(e.mail.all(TemplateExpiryWarning)); n != 0 {
		t.Errorf("%d warnings with the default settings", n)
	}
}

func TestPWD8_ExpiryWarningOncePerPassword(t *testing.T) {
	e := newEnv(t)
	e.reconfigure(t, func(e *env) { e.cfg.Lifecycle.ExpiryWarningDays = 14 })
	a := e.active(t, "warn@example.com")
	ctx := context.Background()
	e.clock.Advance(351*day - time.Second) // 14 days and a second before expiry
	if res, _ := e.svc.Sweep(ctx); res.Warned != 0 {
		t.Fatalf("warned too early: %+v", res)
	}
	e.clock.Advance(time.Second)
	if res, _ := e.svc.Sweep(ctx); res.Warned != 1 {
		t.Fatalf("not warned 14 days before: %+v", res)
	}
	w := e.mail.all(TemplateExpiryWarning)
	if len(w) != 1 || w[0].Data["Days"] != 14 || w[0].Data["ExpiresOn"] != t0.Add(365*day).Format(time.DateOnly) {
		t.Fatalf("warnings %+v", w)
	}
	e.clock.Advance(day)
	if res, _ := e.svc.Sweep(ctx); res.Warned != 0 {
		t.Errorf("warned twice: %+v", res)
	}
	// A new password is warned about again, once, when it nears expiry.
	fresh, _ := e.store.AccountByID(ctx, a.ID)
	fresh.PasswordChangedAt = e.clock.Now()
	if err := e.store.UpdateAccount(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(355 * day)
	if res, _ := e.svc.Sweep(ctx); res.Warned != 1 {
		t.Errorf("new password not warned: %+v", res)
	}
	e.wantAudits(t, domain.AuditExpiryWarning, 2)
}

func TestPWD8_TwoSweepersWarnEachAccountOnce(t *testing.T) {
	e := newEnv(t)
	e.reconfigure(t, func(e *env) { e.cfg.Lifecycle.ExpiryWarningDays = 30 })
	const n = 12
	for i := range n {
		e.active(t, "user"+string(rune('a'+i))+"@example.com")
	}
	e.clock.Advance(340 * day)
	other := New(e.store, e.svc.hasher, e.mail, e.clock, e.cfg, nil)
	var wg sync.WaitGroup
	for _, svc := range []*Service{e.svc, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.Sweep(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, m := range e.outbox(t) {
		if m.Subject == TemplateExpiryWarning {
			seen[m.To]++
		}
	}
	if len(seen) != n {
		t.Errorf("%d accounts warned, want %d", len(seen), n)
	}
	for to, c := range seen {
		if c != 1 {
			t.Errorf("%s warned %d times", to, c)
		}
	}
}
