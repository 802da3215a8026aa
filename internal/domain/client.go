package domain

import "time"

// Portal types (SPEC "People and portals").
const (
	PortalMember   = "member"
	PortalProvider = "provider"
	PortalBroker   = "broker"
	PortalClient   = "client"
	PortalSupport  = "support"
)

// PortalTypes lists every portal type.
var PortalTypes = []string{PortalMember, PortalProvider, PortalBroker, PortalClient, PortalSupport}

// Client is a portal registered as an OpenID Connect relying party.
type Client struct {
	ID                     string
	Name                   string
	SecretDigest           string // hex SHA-256 of the secret; empty for a public client
	Public                 bool   // public clients must use PKCE
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	PortalType             string
	SigningAlg             string // "" means the server default
	CreatedAt              time.Time
}

// AuthRequest is an OpenID Connect authorization request waiting for, or
// holding, the user's sign-in.
type AuthRequest struct {
	ID            string
	ClientID      string
	RedirectURI   string
	Scopes        []string
	State         string
	Nonce         string
	ResponseType  string
	ResponseMode  string
	CodeChallenge string
	CodeMethod    string
	Prompt        []string
	MaxAge        *int64
	UILocales     []string
	LoginHint     string
	CreatedAt     time.Time
	// Set when the user has signed in.
	AccountID string
	SessionID string
	AuthTime  time.Time
	Done      bool
	// CodeDigest is the hex SHA-256 of the authorization code, set when the
	// code is issued. CodeUsedAt is set when it is exchanged; a second
	// exchange revokes the tokens it gave.
	CodeDigest string
	CodeUsedAt *time.Time
}

// Token kinds in the tokens table.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// Token is an access or refresh token. Only the digest of a refresh token
// is stored; access tokens are identified by a random id.
type Token struct {
	ID            string // access: token id; refresh: hex SHA-256 of the token
	Kind          string
	FamilyID      string // refresh tokens of one chain share a family
	AuthRequestID string // the code exchange that began the family, if any
	AccountID     string
	ClientID      string
	SessionID     string
	Scopes        []string
	Audience      []string
	AuthTime      time.Time
	AMR           []string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        *time.Time // refresh: when it was rotated
	RevokedAt     *time.Time
}

// SigningKey is a key the provider signs tokens with (OPS-5).
type SigningKey struct {
	ID         string
	Alg        string // RS256 or ES256
	PrivatePEM string // PKCS#8 PEM
	CreatedAt  time.Time
	RetiredAt  *time.Time // no longer used for signing; still published
}
