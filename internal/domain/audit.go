package domain

import "time"

// Audit event types.
const (
	AuditSignInSuccess = "signin.success"
	AuditSignInFailure = "signin.failure"
	AuditAccountLocked = "account.locked"
	AuditAccountCreate = "account.create"
	AuditActivate      = "account.activate"
	AuditSignOut       = "signout"
	AuditClientCreate  = "client.create"
	AuditClientRemove  = "client.remove"
	AuditCodeReplay    = "oidc.code_replay"
	AuditRefreshReplay = "oidc.refresh_replay"

	AuditActivateFailure = "account.activate_failure" // a wrong password on an activation link
	AuditMailSuppressed  = "mail.suppressed"          // an account email over the hourly cap, not sent
)

// Audit event types of managing one's own account (PROF-1, PROF-2, PWD-5).
const (
	AuditProfileUpdate        = "account.profile_update"         // name, phone, fax or language changed
	AuditPasswordChange       = "account.password_change"        // changed while signed in; other sessions ended
	AuditPasswordChangeFailed = "account.password_change_failed" // wrong current password on the change form
	AuditEmailChangeRequest   = "account.email_change_request"   // a confirmation link sent to a new address
	AuditEmailChange          = "account.email_change"           // the new address confirmed; it is the username now
	AuditEmailChangeFailed    = "account.email_change_failed"    // a wrong current password, or a taken address at confirmation
)

// Self-service recovery (REC-1 to REC-7).
const (
	AuditRecoverRequest = "recovery.request" // a recovery email sent (detail: "start" or "resend")
	AuditRecoverRefused = "recovery.refused" // a recovery link followed for a disabled account (REC-5)
	AuditRecoverUnlock  = "recovery.unlock"  // a locked account unlocked through its link (REC-4)
	AuditRecoverReset   = "recovery.reset"   // a password reset through a recovery link (REC-4, REC-7)
)

// Account state transitions (docs/ACCOUNT_STATES.md). Activation is
// AuditActivate and the lock after failed attempts AuditAccountLocked.
const (
	AuditLockDormant      = "account.lock_dormant"      // PWD-4: no sign-in for too long
	AuditPasswordExpired  = "account.password_expired"  // PWD-3: locked as expired
	AuditRecoveryRequired = "account.recovery_required" // detail: migrated | admin_reset (PWD-6)
	AuditUnlock           = "account.unlock"            // a lock lifted (the password stays)
	AuditResetDone        = "account.reset_done"        // a new password set: lock, expiry and recovery cleared
	AuditDisable          = "account.disable"
	AuditEnable           = "account.enable"
	AuditExpiryWarning    = "account.expiry_warning" // PWD-8: the warning email queued
)

// AuditEvent is one security event. Detail never holds a password, token,
// date of birth, member id or TIN.
type AuditEvent struct {
	ID        int64
	Time      time.Time
	Type      string
	AccountID string // the person the event is about, if any
	ActorID   string // who did it, when not the person themselves
	ClientID  string
	IP        string
	Detail    string
}

// AuditFilter selects audit events; zero fields match everything.
type AuditFilter struct {
	AccountID string
	Type      string
	Limit     int
}
