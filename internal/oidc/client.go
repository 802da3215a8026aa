package oidc

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// HashSecret returns the hex SHA-256 digest of a client secret, the form
// stored in domain.Client.SecretDigest. Secrets are 256 random bits, so a
// fast hash is enough; no slow hash sits on the token path.
func HashSecret(secret string) string { return digest(secret) }

// NewClientSecret returns a new client secret: 256 random bits,
// base64url without padding.
func NewClientSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// digest is the hex SHA-256 of s: how codes, refresh tokens and client
// secrets are stored.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// secretMatches compares a presented secret with a stored digest in
// constant time.
func secretMatches(storedDigest, secret string) bool {
	if storedDigest == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(storedDigest), []byte(digest(secret))) == 1
}

// client adapts a domain.Client to op.Client.
//
// Redirect and post-logout redirect URIs match exactly; there are no
// globs. A public client authenticates with nothing and must use PKCE
// (S256); a confidential one uses client_secret_basic or
// client_secret_post. Only the code and refresh_token grants exist.
type client struct {
	c   *domain.Client
	cfg config.Config
}

func (c *client) GetID() string                    { return c.c.ID }
func (c *client) RedirectURIs() []string           { return slices.Clone(c.c.RedirectURIs) }
func (c *client) PostLogoutRedirectURIs() []string { return slices.Clone(c.c.PostLogoutRedirectURIs) }

// ApplicationType is web for confidential clients; public clients are
// native, which lets them use http loopback redirect URIs. The library
// would match a native loopback redirect with any port (RFC 8252), and
// send its errors there; checkAuthorize insists on an exact match before
// the library sees the request, and CreateAuthRequest again, so every
// match is exact, for errors too.
func (c *client) ApplicationType() op.ApplicationType {
	if c.c.Public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.c.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}

// LoginURL is the hosted sign-in screen for an auth request.
func (c *client) LoginURL(id string) string {
	return c.cfg.URL("/login?authRequestID=" + url.QueryEscape(id))
}

// AccessTokenType is opaque bearer: see the package documentation.
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }

// IDTokenLifetime equals the access token lifetime.
func (c *client) IDTokenLifetime() time.Duration { return c.cfg.AccessTokenTTL }
func (c *client) DevMode() bool                  { return false }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed allows no scope beyond the standard ones.
func (c *client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts the profile and email claims in the
// ID token as well as at userinfo.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
