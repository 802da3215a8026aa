package accounts

import (
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const day = 24 * time.Hour

// inZone runs the rest of the test with the server's local time zone set
// to a zone far from UTC: the boundaries must not move.
func inZone(t *testing.T, name string, offsetHours int) {
	t.Helper()
	old := time.Local
	time.Local = time.FixedZone(name, offsetHours*3600)
	t.Cleanup(func() { time.Local = old })
}

func ptr(t time.Time) *time.Time { return &t }

// fresh is an active account created, activated, password set and signed
// in at t0.
func fresh(typ string) *domain.Account {
	return &domain.Account{
		Status: domain.StatusActive, Type: typ, CreatedAt: t0, ActivatedAt: ptr(t0),
		PasswordChangedAt: t0, LastLoginAt: ptr(t0),
	}
}

func stateAt(a *domain.Account, now time.Time) (State, Reason) {
	l := config.DefaultLifecycle()
	return StateAt(a, l.PasswordMaxAge(a.Type), l.Dormancy(a.Type), now)
}

func TestStates_FirstMatchWins(t *testing.T) {
	locked := func(reason string) *domain.Account {
		a := fresh("")
		a.LockedAt, a.LockReason = ptr(t0), reason
		return a
	}
	for _, tc := range []struct {
		name   string
		a      *domain.Account
		state  State
		reason Reason
	}{
		{"active", fresh(""), StateActive, ReasonNone},
		{"pending", &domain.Account{Status: domain.StatusPending, CreatedAt: t0}, StatePending, ReasonNone},
		{"disabled beats a lock", func() *domain.Account { a := locked(domain.LockDormant); a.Status = domain.StatusDisabled; return a }(), StateDisabled, ReasonNone},
		{"unknown status counts as disabled", &domain.Account{Status: "frozen", CreatedAt: t0}, StateDisabled, ReasonNone},
		{"locked failed attempts", locked(domain.LockFailedAttempts), StateLocked, ReasonFailedAttempts},
		{"locked without reason counts as failed attempts", locked(""), StateLocked, ReasonFailedAttempts},
		{"locked dormant", locked(domain.LockDormant), StateLocked, ReasonDormant},
		{"locked as expired", locked(domain.LockExpired), StatePasswordExpired, ReasonNone},
		{"recovery beats a lock", func() *domain.Account {
			a := locked(domain.LockFailedAttempts)
			a.RecoveryReason, a.RecoveryRequiredAt = domain.RecoveryMigrated, ptr(t0)
			return a
		}(), StateRecoveryRequired, ReasonMigrated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s, r := stateAt(tc.a, t0.Add(time.Hour)); s != tc.state || r != tc.reason {
				t.Errorf("state = %s/%s, want %s/%s", s, r, tc.state, tc.reason)
			}
		})
	}
}

func TestPWD3_ExpiryBoundaryMembersDay364And365(t *testing.T) {
	inZone(t, "UTC-11", -11)
	a := fresh(domain.AccountMember)
	a.LastLoginAt = ptr(t0.Add(300 * day)) // recent sign-in: only expiry applies
	if s, _ := stateAt(a, t0.Add(365*day-time.Second)); s != StateActive {
		t.Errorf("day 364 (one second before day 365): %s, want active", s)
	}
	if s, _ := stateAt(a, t0.Add(365*day)); s != StatePasswordExpired {
		t.Errorf("day 365: %s, want password_expired", s)
	}
}

func TestPWD3_ExpiryBoundaryNonMembersDay89And90(t *testing.T) {
	inZone(t, "UTC+14", 14)
	a := fresh(domain.AccountNonMember)
	a.LastLoginAt = ptr(t0.Add(80 * day))
	if s, _ := stateAt(a, t0.Add(89*day)); s != StateActive {
		t.Errorf("day 89: %s, want active", s)
	}
	if s, _ := stateAt(a, t0.Add(90*day-time.Second)); s != StateActive {
		t.Errorf("day 90 less a second: %s, want active", s)
	}
	if s, _ := stateAt(a, t0.Add(90*day)); s != StatePasswordExpired {
		t.Errorf("day 90: %s, want password_expired", s)
	}
}

func TestPWD4_DormancyBoundaryMembersDay364And365(t *testing.T) {
	inZone(t, "UTC+13", 13)
	a := fresh("")
	a.PasswordChangedAt = t0.Add(-10 * day) // password young enough all along
	a.CreatedAt = a.PasswordChangedAt
	a.ActivatedAt = ptr(a.PasswordChangedAt)
	l := config.DefaultLifecycle()
	l.PasswordMaxAgeMember = 1000 * day
	at := func(now time.Time) (State, Reason) {
		return StateAt(a, l.PasswordMaxAge(a.Type), l.Dormancy(a.Type), now)
	}
	if s, _ := at(t0.Add(364 * day)); s != StateActive {
		t.Errorf("day 364: %s, want active", s)
	}
	if s, r := at(t0.Add(365 * day)); s != StateLocked || r != ReasonDormant {
		t.Errorf("day 365: %s/%s, want locked/dormant", s, r)
	}
}

func TestPWD4_DormancyBoundaryNonMembersDay89And90(t *testing.T) {
	inZone(t, "UTC-9", -9)
	a := fresh(domain.AccountNonMember)
	l := config.DefaultLifecycle()
	l.PasswordMaxAgeNonMember = 1000 * day
	at := func(now time.Time) (State, Reason) {
		return StateAt(a, l.PasswordMaxAge(a.Type), l.Dormancy(a.Type), now)
	}
	if s, _ := at(t0.Add(90*day - time.Second)); s != StateActive {
		t.Errorf("day 89: %s, want active", s)
	}
	if s, r := at(t0.Add(90 * day)); s != StateLocked || r != ReasonDormant {
		t.Errorf("day 90: %s/%s, want locked/dormant", s, r)
	}
}

func TestStates_MissingTimestamps(t *testing.T) {
	l := config.DefaultLifecycle()
	l.DormancyMember = 1000 * day
	at := func(a *domain.Account, now time.Time) (State, Reason) {
		return StateAt(a, l.PasswordMaxAge(a.Type), l.Dormancy(a.Type), now)
	}
	t.Run("password age counts from CreatedAt when PasswordChangedAt is missing", func(t *testing.T) {
		a := &domain.Account{Status: domain.StatusActive, CreatedAt: t0, LastLoginAt: ptr(t0.Add(360 * day))}
		if s, _ := at(a, t0.Add(364*day)); s != StateActive {
			t.Errorf("day 364 from CreatedAt: %s", s)
		}
		if s, _ := at(a, t0.Add(365*day)); s != StatePasswordExpired {
			t.Errorf("day 365 from CreatedAt: %s", s)
		}
	})
	t.Run("no PasswordChangedAt nor CreatedAt: expired", func(t *testing.T) {
		a := &domain.Account{Status: domain.StatusActive, LastLoginAt: ptr(t0)}
		if s, _ := at(a, t0); s != StatePasswordExpired {
			t.Errorf("state = %s, want password_expired", s)
		}
	})
	l.DormancyMember = 365 * day
	l.PasswordMaxAgeMember = 1000 * day
	t.Run("dormancy counts from ActivatedAt when LastLoginAt is missing", func(t *testing.T) {
		a := &domain.Account{Status: domain.StatusActive, CreatedAt: t0.Add(-100 * day), ActivatedAt: ptr(t0)}
		if s, _ := at(a, t0.Add(364*day)); s != StateActive {
			t.Errorf("day 364 from ActivatedAt: %s", s)
		}
		if s, r := at(a, t0.Add(365*day)); s != StateLocked || r != ReasonDormant {
			t.Errorf("day 365 from ActivatedAt: %s/%s", s, r)
		}
	})
	t.Run("then from CreatedAt", func(t *testing.T) {
		a := &domain.Account{Status: domain.StatusActive, CreatedAt: t0}
		if s, _ := at(a, t0.Add(364*day)); s != StateActive {
			t.Errorf("day 364 from CreatedAt: %s", s)
		}
		if s, _ := at(a, t0.Add(365*day)); s != StateLocked {
			t.Errorf("day 365 from CreatedAt: %s", s)
		}
	})
	t.Run("a lifted lock restarts dormancy", func(t *testing.T) {
		a := &domain.Account{Status: domain.StatusActive, CreatedAt: t0, LastLockAt: ptr(t0.Add(400 * day))}
		if s, _ := at(a, t0.Add(401*day)); s != StateActive {
			t.Errorf("after an unlock: %s", s)
		}
	})
	t.Run("nothing at all: dormant", func(t *testing.T) {
		a := &domain.Account{Status: domain.StatusActive, PasswordChangedAt: t0}
		a.PasswordChangedAt = time.Time{}
		l.PasswordMaxAgeMember = 1 << 62
		if s, _ := at(a, t0); s != StatePasswordExpired {
			t.Errorf("no times at all: %s, want password_expired (first match)", s)
		}
		if !DormantAt(a, l.DormancyMember, t0) {
			t.Error("no activity time: want dormant")
		}
	})
	t.Run("empty type counts as member, unknown as the strictest", func(t *testing.T) {
		d := config.DefaultLifecycle()
		if d.PasswordMaxAge("") != 365*day || d.PasswordMaxAge("staff?") != 90*day || d.Dormancy("non_member") != 90*day {
			t.Error("type mapping")
		}
	})
	t.Run("recovery without RecoveryRequiredAt stands after a password change", func(t *testing.T) {
		a := fresh("")
		a.RecoveryReason = domain.RecoveryMigrated
		a.PasswordChangedAt = t0.Add(day)
		if s, r := at(a, t0.Add(2*day)); s != StateRecoveryRequired || r != ReasonMigrated {
			t.Errorf("state = %s/%s", s, r)
		}
	})
	t.Run("recovery fulfilled by a newer password", func(t *testing.T) {
		a := fresh("")
		a.RecoveryReason, a.RecoveryRequiredAt = domain.RecoveryAdminReset, ptr(t0)
		a.PasswordChangedAt = t0.Add(time.Minute)
		if s, _ := at(a, t0.Add(2*time.Minute)); s != StateActive {
			t.Errorf("state = %s, want active", s)
		}
	})
}

func TestPWD6_AdminResetDeadline5959And6000(t *testing.T) {
	inZone(t, "UTC+5:30", 5)
	a := fresh("")
	a.RecoveryReason, a.RecoveryRequiredAt, a.RecoveryDeadline = domain.RecoveryAdminReset, ptr(t0), ptr(t0.Add(AdminResetTTL))
	if RecoveryOverdue(a, t0.Add(59*time.Minute+59*time.Second)) {
		t.Error("59:59: overdue, want in time")
	}
	if !RecoveryOverdue(a, t0.Add(time.Hour)) {
		t.Error("60:00: in time, want overdue")
	}
	if s, r := stateAt(a, t0.Add(2*time.Hour)); s != StateRecoveryRequired || r != ReasonAdminReset {
		t.Errorf("after the deadline: %s/%s, want recovery_required/admin_reset", s, r)
	}
	a.RecoveryDeadline = nil
	if !RecoveryOverdue(a, t0) {
		t.Error("missing deadline: want overdue")
	}
}
