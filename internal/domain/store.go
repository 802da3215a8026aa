package domain

import (
	"context"
	"time"
)

// Store is EntryKeyID's persistence. SQLite and PostgreSQL implement it
// (package sqlstore) and both pass the conformance suite (package
// storetest). Every method is atomic on its own; InTx groups several.
//
// Lookups of a missing row return an *Error with ENOTFOUND; inserts that
// break a uniqueness rule return ECONFLICT.
type Store interface {
	AccountStore
	LinkStore
	SessionStore
	ClientStore
	AuthRequestStore
	TokenStore
	KeyStore
	AuditStore
	OutboxStore
	LifecycleStore
	LogoutStore

	// InTx runs fn in one database transaction: everything fn does through
	// the Store it is given commits together or not at all. Calling InTx
	// on the Store given to fn runs in the same transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Ping reports whether the database answers (readiness).
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// LifecycleStore keeps what the account lifecycle needs beyond the
// account row (docs/ACCOUNT_STATES.md).
type LifecycleStore interface {
	// TryLease takes or renews the named lease for holder until now+ttl,
	// atomically: true when it was free, expired at now, or already
	// holder's; false (and nothing changes) while another holder's lease
	// lives. One runner at a time across nodes.
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// AddPasswordHistory records a password hash the account has had (PWD-2).
	AddPasswordHistory(ctx context.Context, accountID, hash string, at time.Time) error
	// PasswordHistory returns the account's latest limit hashes, newest first.
	PasswordHistory(ctx context.Context, accountID string, limit int) ([]string, error)
	// ActiveAccounts returns up to limit accounts with StatusActive and an
	// ID greater than afterID, in ID order.
	ActiveAccounts(ctx context.Context, afterID string, limit int) ([]*Account, error)
	// MarkExpiryWarned sets ExpiryWarnedAt to now when no warning is
	// recorded for the current password (none, or older than
	// PasswordChangedAt), atomically; true for the one call that set it.
	MarkExpiryWarned(ctx context.Context, accountID string, now time.Time) (bool, error)
}

// AccountStore keeps accounts.
type AccountStore interface {
	// CreateAccount inserts a; ECONFLICT when a.EmailKey is taken.
	CreateAccount(ctx context.Context, a *Account) error
	AccountByID(ctx context.Context, id string) (*Account, error)
	AccountByEmailKey(ctx context.Context, emailKey string) (*Account, error)
	// UpdateAccount writes the profile, status, activation and password
	// fields of a (not the failure count or lock, which have their own
	// atomic methods). ECONFLICT when a new EmailKey is taken.
	UpdateAccount(ctx context.Context, a *Account) error
	// RecordLoginFailure adds one to the account's failure count in one
	// atomic update and locks the account (reason LockFailedAttempts, at
	// now) when the count reaches max (LOGIN-5).
	RecordLoginFailure(ctx context.Context, accountID string, now time.Time, max int) (FailureResult, error)
	// RecordLoginSuccess resets the failure count and sets LastLoginAt.
	RecordLoginSuccess(ctx context.Context, accountID string, now time.Time) error
	// SetLock locks (lockedAt non-nil, with reason) or unlocks (nil, which
	// also resets the failure count) the account.
	SetLock(ctx context.Context, accountID string, lockedAt *time.Time, reason string) error
	// CountAccounts returns how many accounts exist.
	CountAccounts(ctx context.Context) (int, error)
}

// LinkStore keeps single-use emailed links.
type LinkStore interface {
	CreateLink(ctx context.Context, l *Link) error
	LinkByDigest(ctx context.Context, digest string) (*Link, error)
	// UseLink marks the link used if it is unused and unexpired at now, in
	// one atomic update; otherwise ENOTFOUND and nothing changes.
	UseLink(ctx context.Context, digest string, now time.Time) (*Link, error)
	// VoidLinks marks every unused link of the account with the purpose
	// ("" for all purposes) as used at now.
	VoidLinks(ctx context.Context, accountID, purpose string, now time.Time) error
	// SwapLinkData replaces the Data of the link with next in one atomic
	// update, only while the link is unused, unexpired at now and its Data
	// still equals prev (compare-and-swap); otherwise ENOTFOUND and nothing
	// changes.
	SwapLinkData(ctx context.Context, digest, prev, next string, now time.Time) error
	// LatestLink returns the account's newest link with the purpose, used
	// or not (ties in CreatedAt broken by digest); ENOTFOUND when none.
	LatestLink(ctx context.Context, accountID, purpose string) (*Link, error)
}

// SessionStore keeps single sign-on sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	SessionByID(ctx context.Context, id string) (*Session, error)
	// TouchSession sets LastSeenAt to now.
	TouchSession(ctx context.Context, id string, now time.Time) error
	// EndSession sets EndedAt if it is not set.
	EndSession(ctx context.Context, id string, now time.Time) error
	// EndAccountSessions ends every session of the account except exceptID.
	// It returns the ids it ended.
	EndAccountSessions(ctx context.Context, accountID, exceptID string, now time.Time) ([]string, error)
}

// ClientStore keeps registered portals.
type ClientStore interface {
	// CreateClient inserts c; ECONFLICT when c.ID is taken.
	CreateClient(ctx context.Context, c *Client) error
	ClientByID(ctx context.Context, id string) (*Client, error)
	ListClients(ctx context.Context) ([]*Client, error)
	// DeleteClient removes the client; ENOTFOUND when there is none.
	DeleteClient(ctx context.Context, id string) error
}

// AuthRequestStore keeps OpenID Connect authorization requests.
type AuthRequestStore interface {
	CreateAuthRequest(ctx context.Context, r *AuthRequest) error
	AuthRequestByID(ctx context.Context, id string) (*AuthRequest, error)
	AuthRequestByCode(ctx context.Context, codeDigest string) (*AuthRequest, error)
	// CompleteAuthRequest records the signed-in user and marks it done, in
	// one atomic update, only when it is not done yet: ECONFLICT when it
	// is (a request completed once is never completed again, by anyone),
	// ENOTFOUND when there is no request.
	CompleteAuthRequest(ctx context.Context, id, accountID, sessionID string, authTime time.Time) error
	// SetAuthCode stores the digest of the code issued for the request, in
	// one atomic update, only when no code is set yet: ECONFLICT when one
	// is, ENOTFOUND when there is no request.
	SetAuthCode(ctx context.Context, id, codeDigest string) error
	// IssueAuthCode stores the digest of the request's code and the time
	// it was issued, in one atomic update, only when the request is done
	// and has no code yet: ECONFLICT otherwise, ENOTFOUND when there is no
	// request.
	IssueAuthCode(ctx context.Context, id, codeDigest string, now time.Time) error
	// UseAuthCode marks the code used at now in one atomic update. It
	// reports false when the code had been used before.
	UseAuthCode(ctx context.Context, id string, now time.Time) (first bool, err error)
	// DeleteAuthRequestsBefore removes requests created before t.
	DeleteAuthRequestsBefore(ctx context.Context, t time.Time) (int, error)
}

// TokenStore keeps access and refresh tokens.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	TokenByID(ctx context.Context, id string) (*Token, error)
	// UseRefreshToken marks an unused, unrevoked refresh token used at now
	// in one atomic update. It reports false when the token had already
	// been used or revoked (a replay).
	UseRefreshToken(ctx context.Context, id string, now time.Time) (first bool, err error)
	RevokeToken(ctx context.Context, id string, now time.Time) error
	RevokeFamily(ctx context.Context, familyID string, now time.Time) error
	RevokeByAuthRequest(ctx context.Context, authRequestID string, now time.Time) error
	RevokeBySession(ctx context.Context, sessionID string, now time.Time) error
	RevokeByAccount(ctx context.Context, accountID string, now time.Time) error
	// ClientsForSession returns the distinct ids of the clients that were
	// issued tokens in the session (revoked, used or expired ones count
	// while their rows exist), sorted; none for an empty id.
	ClientsForSession(ctx context.Context, sessionID string) ([]string, error)
	// DeleteTokensBefore removes tokens that expired before t.
	DeleteTokensBefore(ctx context.Context, t time.Time) (int, error)
}

// KeyStore keeps signing keys.
type KeyStore interface {
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// ListSigningKeys returns every key, newest first.
	ListSigningKeys(ctx context.Context) ([]*SigningKey, error)
	RetireSigningKey(ctx context.Context, id string, now time.Time) error
}

// AuditStore keeps the audit log.
type AuditStore interface {
	AppendAudit(ctx context.Context, e *AuditEvent) error
	// ListAudit returns matching events, newest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
}

// OutboxStore keeps email waiting to be delivered.
type OutboxStore interface {
	EnqueueMessage(ctx context.Context, m *Message) error
	// ClaimMessages returns up to limit unsent messages due at now and, in
	// the same atomic step, moves their NextAttemptAt to now+lease so that
	// no other worker takes them meanwhile.
	ClaimMessages(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Message, error)
	// MarkMessageSent records delivery at now and clears the message's
	// Text and HTML (they may hold live link secrets); the rest stays.
	MarkMessageSent(ctx context.Context, id int64, now time.Time) error
	// MarkMessageFailed counts a failed attempt and schedules the next.
	MarkMessageFailed(ctx context.Context, id int64, next time.Time, reason string) error
	MessageByID(ctx context.Context, id int64) (*Message, error)
	// CountMessagesTo returns how many messages to exactly the address to
	// were enqueued after since (CreatedAt > since), sent or not. On PostgreSQL, inside
	// InTx, it first takes a transaction-scoped lock on the address, so
	// transactions that count and then enqueue to one address run one
	// after another (SQLite's write transactions already do).
	CountMessagesTo(ctx context.Context, to string, since time.Time) (int, error)
}
