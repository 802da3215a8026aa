package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// stateOf reads the account again and returns its state now.
func (e *env) stateOf(t *testing.T, id string) (State, Reason) {
	t.Helper()
	a, err := e.store.AccountByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e.svc.StateOf(a)
}

func (e *env) wantAudits(t *testing.T, typ string, n int) []*domain.AuditEvent {
	t.Helper()
	evs := e.audits(t, typ)
	if len(evs) != n {
		t.Fatalf("%d %s events, want %d", len(evs), typ, n)
	}
	return evs
}

func TestTransition_Activate(t *testing.T) {
	e := newEnv(t)
	secret := e.register(t, "act@example.com")
	p := e.account(t, "act@example.com")
	if s, _ := e.svc.StateOf(p); s != StatePending {
		t.Fatalf("before: %s", s)
	}
	a, err := e.svc.Activate(context.Background(), secret, goodPassword, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := e.stateOf(t, a.ID); s != StateActive {
		t.Errorf("after: %s", s)
	}
	e.wantAudits(t, domain.AuditActivate, 1)
}

func TestTransition_LockOnFailures(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "fail@example.com")
	for range domain.MaxFailedLogins {
		e.svc.Authenticate(context.Background(), a.Email, "Wrong-Password-1", Meta{})
	}
	if s, r := e.stateOf(t, a.ID); s != StateLocked || r != ReasonFailedAttempts {
		t.Errorf("state %s/%s", s, r)
	}
	e.wantAudits(t, domain.AuditAccountLocked, 1)
}

func TestTransition_LockForDormancyAtSignIn(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "dorm@example.com")
	e.clock.Advance(365 * day)
	_, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginExpired) // both apply at day 365: expiry first
	e2 := newEnv(t)
	e2.cfg.Lifecycle.PasswordMaxAgeMember = 1000 * day
	e2.svc = New(e2.store, e.svc.hasher, e2.mail, e2.clock, e2.cfg, nil)
	b := e2.active(t, "dorm2@example.com")
	e2.clock.Advance(365*day - time.Second)
	if _, err := e2.svc.Authenticate(context.Background(), b.Email, goodPassword, Meta{}); err != nil {
		t.Fatalf("day 364: %v", err)
	}
	e2.clock.Advance(365 * day)
	_, err = e2.svc.Authenticate(context.Background(), b.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginDormant)
	got, _ := e2.store.AccountByID(context.Background(), b.ID)
	if got.LockReason != domain.LockDormant {
		t.Errorf("stored lock %q, want dormant", got.LockReason)
	}
	e2.wantAudits(t, domain.AuditLockDormant, 1)
}

func TestPWD3_ExpiredPasswordLocksAtSignIn(t *testing.T) {
	e := newEnv(t)
	inZone(t, "UTC-11", -11)
	a := e.active(t, "exp@example.com")
	e.clock.Advance(364 * day)
	if _, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{}); err != nil {
		t.Fatalf("day 364: %v", err)
	}
	e.clock.Advance(day)
	_, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginExpired)
	if s, _ := e.stateOf(t, a.ID); s != StatePasswordExpired {
		t.Errorf("state %s", s)
	}
	got, _ := e.store.AccountByID(context.Background(), a.ID)
	if got.LockReason != domain.LockExpired {
		t.Errorf("stored lock %q", got.LockReason)
	}
	e.wantAudits(t, domain.AuditPasswordExpired, 1)
	// A wrong password on the expired account is not counted as a failure.
	_, err = e.svc.Authenticate(context.Background(), a.Email, "Wrong-Password-1", Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginExpired)
	e.wantAudits(t, domain.AuditPasswordExpired, 1)
}

func TestPWD3_NonMemberExpiresAtDay90(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "nm@example.com")
	a.Type = domain.AccountNonMember
	if err := e.store.UpdateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(89 * day)
	if _, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{}); err != nil {
		t.Fatalf("day 89: %v", err)
	}
	e.clock.Advance(day)
	_, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginExpired)
}

func TestTransition_RequireRecoveryAdminResetWithDeadline(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "adm@example.com")
	if err := e.svc.RequireRecovery(context.Background(), a.ID, domain.RecoveryAdminReset, "staff-1"); err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.AccountByID(context.Background(), a.ID)
	if got.RecoveryDeadline == nil || !got.RecoveryDeadline.Equal(t0.Add(time.Hour)) {
		t.Fatalf("deadline %v, want %v", got.RecoveryDeadline, t0.Add(time.Hour))
	}
	if s, r := e.svc.StateOf(got); s != StateRecoveryRequired || r != ReasonAdminReset {
		t.Errorf("state %s/%s", s, r)
	}
	ev := e.wantAudits(t, domain.AuditRecoveryRequired, 1)[0]
	if ev.ActorID != "staff-1" || ev.Detail != domain.RecoveryAdminReset {
		t.Errorf("audit %+v", ev)
	}
	_, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginRecovery)
	e.clock.Advance(time.Hour - time.Second)
	if RecoveryOverdue(got, e.clock.Now()) {
		t.Error("59:59 overdue")
	}
	e.clock.Advance(time.Second)
	if !RecoveryOverdue(got, e.clock.Now()) {
		t.Error("60:00 in time")
	}
	if s, _ := e.stateOf(t, a.ID); s != StateRecoveryRequired {
		t.Errorf("after the deadline: %s, want recovery_required", s)
	}
}

func TestTransition_RequireRecoveryMigrated(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "mig@example.com")
	if err := e.svc.RequireRecovery(context.Background(), a.ID, domain.RecoveryMigrated, ""); err != nil {
		t.Fatal(err)
	}
	if s, r := e.stateOf(t, a.ID); s != StateRecoveryRequired || r != ReasonMigrated {
		t.Errorf("state %s/%s", s, r)
	}
	got, _ := e.store.AccountByID(context.Background(), a.ID)
	if got.RecoveryDeadline != nil {
		t.Error("a migrated account has no deadline")
	}
	if err := e.svc.RequireRecovery(context.Background(), a.ID, "whim", ""); err == nil {
		t.Error("unknown reason accepted")
	}
	e.wantAudits(t, domain.AuditRecoveryRequired, 1)
}

func TestTransition_Unlock(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "unl@example.com")
	now := e.clock.Now()
	if err := e.store.SetLock(context.Background(), a.ID, &now, domain.LockDormant); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Unlock(context.Background(), e.store, a.ID, "staff-2", Meta{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.stateOf(t, a.ID); s != StateActive {
		t.Errorf("state %s", s)
	}
	e.wantAudits(t, domain.AuditUnlock, 1)
	// An expired lock is not lifted by an unlock.
	if err := e.store.SetLock(context.Background(), a.ID, &now, domain.LockExpired); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Unlock(context.Background(), e.store, a.ID, "", Meta{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.stateOf(t, a.ID); s != StatePasswordExpired {
		t.Errorf("expired after unlock: %s", s)
	}
	e.wantAudits(t, domain.AuditUnlock, 1)
}

func TestTransition_UnlockedDormantAccountSignsIn(t *testing.T) {
	e := newEnv(t)
	e.cfg.Lifecycle.PasswordMaxAgeMember = 1000 * day
	e.svc = New(e.store, e.svc.hasher, e.mail, e.clock, e.cfg, nil)
	a := e.active(t, "back@example.com")
	e.clock.Advance(400 * day)
	_, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginDormant)
	if err := e.svc.Unlock(context.Background(), e.store, a.ID, "", Meta{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{}); err != nil {
		t.Errorf("after unlock: %v", err)
	}
}

func TestTransition_ResetDone(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "rd@example.com")
	if err := e.svc.RequireRecovery(context.Background(), a.ID, domain.RecoveryAdminReset, "staff"); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	if err := e.store.SetLock(context.Background(), a.ID, &now, domain.LockExpired); err != nil {
		t.Fatal(err)
	}
	err := e.store.InTx(context.Background(), func(tx domain.Store) error {
		return e.svc.ResetDone(context.Background(), tx, a.ID, Meta{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := e.stateOf(t, a.ID); s != StateActive {
		t.Errorf("state %s", s)
	}
	e.wantAudits(t, domain.AuditResetDone, 1)
}

func TestTransition_DisableAndEnable(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "dis@example.com")
	cookie, _, err := e.svc.StartSession(context.Background(), a.ID, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Disable(context.Background(), a.ID, "staff", Meta{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.stateOf(t, a.ID); s != StateDisabled {
		t.Errorf("state %s", s)
	}
	if _, _, err := e.svc.Session(context.Background(), cookie); !domain.IsNotFound(err) {
		t.Errorf("session after disable: %v", err)
	}
	_, err = e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginDisabled)
	e.wantAudits(t, domain.AuditDisable, 1)
	if err := e.svc.Enable(context.Background(), a.ID, "staff", Meta{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.stateOf(t, a.ID); s != StateActive {
		t.Errorf("after enable: %s", s)
	}
	e.wantAudits(t, domain.AuditEnable, 1)
	p := e.register(t, "pend@example.com")
	_ = p
	pa := e.account(t, "pend@example.com")
	var de *domain.Error
	if err := e.svc.Enable(context.Background(), pa.ID, "staff", Meta{}); !errors.As(err, &de) {
		t.Errorf("enabling a pending account: %v", err)
	}
}

func TestLOGIN2_StrictDefersStateUntilCorrectPassword(t *testing.T) {
	e := newEnv(t)
	e.cfg.Lifecycle.EnumerationProtection = config.EnumerationStrict
	e.svc = New(e.store, e.svc.hasher, e.mail, e.clock, e.cfg, nil)
	a := e.active(t, "strict@example.com")
	if err := e.svc.Disable(context.Background(), a.ID, "staff", Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Authenticate(context.Background(), a.Email, "Wrong-Password-1", Meta{})
	wantKey(t, err, domain.EUNAUTHORIZED, KeyLoginFailed)
	_, err = e.svc.Authenticate(context.Background(), a.Email, goodPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginDisabled)
}

func TestPWD2_HistoryDepth(t *testing.T) {
	for _, depth := range []int{0, 1, 2} {
		e := newEnv(t)
		e.cfg.Lifecycle.PasswordHistory = depth
		e.svc = New(e.store, e.svc.hasher, e.mail, e.clock, e.cfg, nil)
		a := e.active(t, "hist@example.com")
		ctx := context.Background()
		// The account moves from goodPassword to "Second-Pass-22".
		hash, _ := e.svc.hasher.Hash("Second-Pass-22")
		err := e.store.InTx(ctx, func(tx domain.Store) error {
			if err := e.svc.CheckHistory(ctx, tx, a.ID, "Second-Pass-22"); err != nil {
				return err
			}
			a.PasswordHash = hash
			if err := tx.UpdateAccount(ctx, a); err != nil {
				return err
			}
			return e.svc.RecordHistory(ctx, tx, a.ID, hash)
		})
		if err != nil {
			t.Fatalf("depth %d: first change: %v", depth, err)
		}
		cur := e.svc.CheckHistory(ctx, e.store, a.ID, "Second-Pass-22")
		prev := e.svc.CheckHistory(ctx, e.store, a.ID, goodPassword)
		fresh := e.svc.CheckHistory(ctx, e.store, a.ID, "Third-Pass-333")
		var fe FieldErrors
		switch depth {
		case 0:
			if cur != nil || prev != nil {
				t.Errorf("depth 0 refuses re-use: %v %v", cur, prev)
			}
		case 1:
			if !errors.As(cur, &fe) || fe["password"] != KeyPasswordReused || prev != nil {
				t.Errorf("depth 1: current %v, previous %v", cur, prev)
			}
		case 2:
			if cur == nil || prev == nil {
				t.Errorf("depth 2: current %v, previous %v", cur, prev)
			}
		}
		if fresh != nil {
			t.Errorf("depth %d refuses a new password: %v", depth, fresh)
		}
	}
}

func TestPWD3_SessionEndsWhenThePasswordExpires(t *testing.T) {
	e := newEnv(t)
	e.reconfigure(t, func(e *env) { e.cfg.SessionIdle, e.cfg.SessionMax = 48*time.Hour, 48*time.Hour })
	a := e.active(t, "sess@example.com")
	e.clock.Advance(365*day - time.Hour)
	cookie, _, err := e.svc.StartSession(context.Background(), a.ID, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Session(context.Background(), cookie); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	e.clock.Advance(time.Hour)
	if _, _, err := e.svc.Session(context.Background(), cookie); !domain.IsNotFound(err) {
		t.Errorf("at expiry: %v, want the session gone", err)
	}
}
