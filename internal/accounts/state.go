package accounts

import (
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// State is an account's lifecycle state, computed from its stored facts and
// the clock (docs/ACCOUNT_STATES.md).
type State string

// Account states.
const (
	StatePending          State = "pending"           // not activated yet (ACC-2)
	StateActive           State = "active"            // may sign in
	StateLocked           State = "locked"            // Reason: failed attempts or dormancy
	StatePasswordExpired  State = "password_expired"  // PWD-3
	StateRecoveryRequired State = "recovery_required" // Reason: migrated or administrator reset
	StateDisabled         State = "disabled"          // turned off by staff
)

// Reason qualifies StateLocked and StateRecoveryRequired; "" otherwise.
type Reason string

// Reasons.
const (
	ReasonNone           Reason = ""
	ReasonFailedAttempts Reason = domain.LockFailedAttempts // LOGIN-5
	ReasonDormant        Reason = domain.LockDormant        // PWD-4
	ReasonMigrated       Reason = domain.RecoveryMigrated   // MIG-3
	ReasonAdminReset     Reason = domain.RecoveryAdminReset // PWD-6
)

// AdminResetTTL is how long an administrator reset may take (PWD-6).
const AdminResetTTL = time.Hour

// StateOf returns the account's state at the service clock's now. See
// StateAt.
func (s *Service) StateOf(a *domain.Account) (State, Reason) {
	return StateAt(a, s.cfg.Lifecycle.PasswordMaxAge(a.Type), s.cfg.Lifecycle.Dormancy(a.Type), s.clock.Now())
}

// StateAt computes the state of a at now, first match wins:
//
//  1. disabled: Status disabled;
//  2. pending: Status pending;
//  3. recovery required: RecoveryReason set and the password not changed
//     since RecoveryRequiredAt (a missing RecoveryRequiredAt: the
//     requirement stands until the reason is cleared);
//  4. a stored lock: reason password_expired gives password expired,
//     dormant gives locked/dormant, failed_attempts or any other (or none)
//     gives locked/failed attempts;
//  5. password expired: the password is maxAge old or older, counted from
//     PasswordChangedAt, or from CreatedAt when that is missing; when both
//     are missing the password counts as expired;
//  6. locked/dormant: no sign-in for dormancy or longer, counted from the
//     latest of LastLoginAt, ActivatedAt, PasswordChangedAt and LastLockAt,
//     or from CreatedAt when all are missing; when everything is missing
//     the account counts as dormant;
//  7. active.
//
// Ages are differences of instants, so the server's time zone never moves
// a boundary: day 364 is fine and day 365 (to the second) is not.
func StateAt(a *domain.Account, maxAge, dormancy time.Duration, now time.Time) (State, Reason) {
	switch {
	case a.Status == domain.StatusDisabled:
		return StateDisabled, ReasonNone
	case a.Status == domain.StatusPending:
		return StatePending, ReasonNone
	case a.Status != domain.StatusActive:
		// An unknown stored status never lets anyone in.
		return StateDisabled, ReasonNone
	}
	if r := recoveryReason(a); r != ReasonNone {
		return StateRecoveryRequired, r
	}
	if a.Locked() {
		switch a.LockReason {
		case domain.LockExpired:
			return StatePasswordExpired, ReasonNone
		case domain.LockDormant:
			return StateLocked, ReasonDormant
		}
		return StateLocked, ReasonFailedAttempts
	}
	if PasswordExpiredAt(a, maxAge, now) {
		return StatePasswordExpired, ReasonNone
	}
	if DormantAt(a, dormancy, now) {
		return StateLocked, ReasonDormant
	}
	return StateActive, ReasonNone
}

// recoveryReason returns the pending recovery requirement of a, if any.
func recoveryReason(a *domain.Account) Reason {
	if a.RecoveryReason == "" {
		return ReasonNone
	}
	if a.RecoveryRequiredAt != nil && a.PasswordChangedAt.After(*a.RecoveryRequiredAt) {
		return ReasonNone // fulfilled by a newer password
	}
	return Reason(a.RecoveryReason)
}

// PasswordSetAt is when the password's age counts from: PasswordChangedAt,
// else CreatedAt; ok is false when both are missing.
func PasswordSetAt(a *domain.Account) (t time.Time, ok bool) {
	switch {
	case !a.PasswordChangedAt.IsZero():
		return a.PasswordChangedAt, true
	case !a.CreatedAt.IsZero():
		return a.CreatedAt, true
	}
	return time.Time{}, false
}

// PasswordExpiredAt reports whether a's password is maxAge old or older at
// now (PWD-3); a password of unknown age is expired.
func PasswordExpiredAt(a *domain.Account, maxAge time.Duration, now time.Time) bool {
	set, ok := PasswordSetAt(a)
	return !ok || now.Sub(set) >= maxAge
}

// LastActiveAt is when dormancy counts from: the latest of LastLoginAt,
// ActivatedAt, PasswordChangedAt and LastLockAt, else CreatedAt; ok is
// false when everything is missing.
func LastActiveAt(a *domain.Account) (t time.Time, ok bool) {
	for _, p := range []*time.Time{a.LastLoginAt, a.ActivatedAt, &a.PasswordChangedAt, a.LastLockAt} {
		if p != nil && !p.IsZero() && p.After(t) {
			t = *p
		}
	}
	if t.IsZero() {
		t = a.CreatedAt
	}
	return t, !t.IsZero()
}

// DormantAt reports whether a has gone dormancy or longer without sign-in
// at now (PWD-4); an account without any activity time is dormant.
func DormantAt(a *domain.Account, dormancy time.Duration, now time.Time) bool {
	last, ok := LastActiveAt(a)
	return !ok || now.Sub(last) >= dormancy
}

// RecoveryOverdue reports whether an administrator reset of a was not
// finished by its deadline (PWD-6: 59:59 after it started is in time,
// 60:00 is not). The account then stays recovery-required: the
// administrator's link has expired and the person asks for a new one
// through "Trouble logging in?". A missing deadline counts as passed.
func RecoveryOverdue(a *domain.Account, now time.Time) bool {
	if recoveryReason(a) != ReasonAdminReset {
		return false
	}
	return a.RecoveryDeadline == nil || !now.Before(*a.RecoveryDeadline)
}
