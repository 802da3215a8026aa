package domain

import (
	"context"
	"time"
)

// LogoutDelivery is one back-channel logout notice (SSO-3): the portal
// ClientID is to be told that session SessionID of account AccountID has
// ended. It is written in the transaction that ends the session and
// delivered later by a worker, with retries.
type LogoutDelivery struct {
	ID            int64
	ClientID      string
	SessionID     string
	AccountID     string
	CreatedAt     time.Time
	Attempts      int       // failed attempts so far
	NextAttemptAt time.Time // when it is due (or its claim ends)
	DoneAt        *time.Time
	Delivered     bool // with DoneAt: true delivered, false given up
	LastError     string
}

// LogoutStore keeps the back-channel logout outbox.
type LogoutStore interface {
	// EnqueueLogout inserts d and sets d.ID. A notice for the same client
	// and session exists at most once: a second one is ignored, d.ID
	// stays 0 and the error is nil.
	EnqueueLogout(ctx context.Context, d *LogoutDelivery) error
	// ClaimLogouts returns up to limit undone notices due at now and, in
	// the same atomic step, moves their NextAttemptAt to now+lease so no
	// other worker takes them meanwhile.
	ClaimLogouts(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*LogoutDelivery, error)
	// MarkLogoutDone records at now that the notice was delivered, or
	// given up with reason. ENOTFOUND when there is no such notice.
	MarkLogoutDone(ctx context.Context, id int64, now time.Time, delivered bool, reason string) error
	// MarkLogoutFailed counts a failed attempt and makes the notice due
	// again at next. ENOTFOUND when there is no such notice.
	MarkLogoutFailed(ctx context.Context, id int64, next time.Time, reason string) error
	// LogoutsForSession returns the session's notices, by id.
	LogoutsForSession(ctx context.Context, sessionID string) ([]*LogoutDelivery, error)
	// DeleteLogoutsBefore removes done notices finished before t.
	DeleteLogoutsBefore(ctx context.Context, t time.Time) (int, error)
}
