package domain

import "time"

// Account statuses as stored. The lifecycle issue adds computed states
// (password expired, dormant, recovery required) on top of these facts.
const (
	StatusPending  = "pending"  // created, activation link not yet used (ACC-2)
	StatusActive   = "active"   // may sign in
	StatusDisabled = "disabled" // turned off by staff; cannot sign in or recover
)

// Lock reasons stored in Account.LockReason when LockedAt is set.
const (
	LockFailedAttempts = "failed_attempts"
	LockDormant        = "dormant"
	LockExpired        = "password_expired"
)

// MaxFailedLogins is how many wrong passwords in a row lock an account (LOGIN-5).
const MaxFailedLogins = 5

// Account is one person's EntryKeyID identity: an email address and one
// password (ACC-1).
type Account struct {
	ID                string
	Email             string // as typed by the person
	EmailKey          string // NFC, case-folded: the uniqueness key (ACC-1)
	FirstName         string
	LastName          string
	Language          string // "en" or "es"
	Phone             string
	Fax               string
	PasswordHash      string // argon2id PHC string (PWD-7)
	Status            string // StatusPending, StatusActive, StatusDisabled
	FailedLogins      int
	LockedAt          *time.Time
	LockReason        string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ActivatedAt       *time.Time
	PasswordChangedAt time.Time
	LastLoginAt       *time.Time

	// Type is the strictest account type the account holds, for the
	// password expiry and dormancy rules (PWD-3, PWD-4): AccountMember
	// (the default; "" reads as member) or AccountNonMember. Plan
	// registrations and staff roles set it.
	Type string
	// RecoveryReason is RecoveryMigrated or RecoveryAdminReset while the
	// account must reset its password before signing in (LOGIN-2, MIG-3,
	// PWD-6); "" otherwise.
	RecoveryReason string
	// RecoveryRequiredAt is when the requirement was set: a password
	// changed after it fulfils it (nil with a reason: it stands until the
	// reason is cleared).
	RecoveryRequiredAt *time.Time
	// RecoveryDeadline is when an administrator reset stops being
	// finishable (PWD-6): its link expires then and the account stays
	// recovery-required. nil for other reasons.
	RecoveryDeadline *time.Time
	// ExpiryWarnedAt is when the expiry warning of the current password was
	// sent (PWD-8); a warning is due again only after a newer
	// PasswordChangedAt.
	ExpiryWarnedAt *time.Time
	// LastLockAt is when the last lock that was lifted had been set (the
	// store keeps it when SetLock unlocks): dormancy counts from it too, so
	// an unlocked dormant account is not locked again at once (PWD-4).
	LastLockAt *time.Time
}

// Account types (the strictest the account holds; PWD-3, PWD-4).
const (
	AccountMember    = "member"
	AccountNonMember = "non_member"
)

// Reasons an account must reset its password (Account.RecoveryReason).
const (
	RecoveryMigrated   = "migrated"    // a migrated account at its first sign-in (MIG-3)
	RecoveryAdminReset = "admin_reset" // an administrator started a reset (PWD-6)
)

// Locked reports whether the account is locked.
func (a *Account) Locked() bool { return a.LockedAt != nil }

// Name returns "First Last".
func (a *Account) Name() string {
	switch {
	case a.FirstName == "":
		return a.LastName
	case a.LastName == "":
		return a.FirstName
	}
	return a.FirstName + " " + a.LastName
}

// FailureResult is what recording one failed password did, read in the same
// atomic update (LOGIN-5).
type FailureResult struct {
	FailedLogins int
	Locked       bool // the account is locked after this update
	JustLocked   bool // this update is the one that locked it
}

// Link purposes for one-time links sent by email.
const (
	LinkActivate    = "activate"
	LinkRecover     = "recover"
	LinkEmailChange = "email_change"
)

// Link is a single-use emailed link. Only the SHA-256 digest of its secret
// is stored.
type Link struct {
	Digest    string // hex SHA-256 of the secret in the URL
	Purpose   string
	AccountID string
	Data      string // purpose-specific, e.g. the new email address
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Session is a signed-in browser's single sign-on session (SSO-2). The
// cookie holds a random secret; only its SHA-256 digest is stored, as ID.
type Session struct {
	ID         string // hex SHA-256 of the cookie value
	AccountID  string
	CreatedAt  time.Time // sign-in time (auth_time)
	LastSeenAt time.Time
	ExpiresAt  time.Time // CreatedAt + maximum lifetime
	EndedAt    *time.Time
	UserAgent  string
	IP         string
}

// Active reports whether the session is usable at now with the given idle
// timeout: not ended, not past its maximum lifetime, and seen within idle.
func (s *Session) Active(now time.Time, idle time.Duration) bool {
	if s.EndedAt != nil {
		return false
	}
	if !now.Before(s.ExpiresAt) {
		return false
	}
	return now.Sub(s.LastSeenAt) < idle
}
