package domain

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"
)

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
	// BrowserDigest is the hex SHA-256 of the browser secret (a cookie)
	// of the browser that started the request at /authorize. Only that
	// browser may sign in for the request and collect its code.
	BrowserDigest string
	// CodeIssuedAt is when the code was issued; zero before. A code is
	// good for a short time from then (the provider decides how long).
	CodeIssuedAt time.Time
}

// BoundTo reports whether browserSecret is the secret of the browser that
// started the request: its SHA-256 equals BrowserDigest, compared in
// constant time. A request with no BrowserDigest is bound to no browser.
func (r *AuthRequest) BoundTo(browserSecret string) bool {
	if r.BrowserDigest == "" || browserSecret == "" {
		return false
	}
	sum := sha256.Sum256([]byte(browserSecret))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(r.BrowserDigest)) == 1
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
