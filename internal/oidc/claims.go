package oidc

import (
	"context"
	"errors"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// setIdentity writes the identity claims of SSO-4 that the scopes allow:
// sub always; email and email_verified with "email"; name, given_name,
// family_name, preferred_username and locale with "profile". An active
// account has proved its address with the activation link.
func setIdentity(info *oidc.UserInfo, a *domain.Account, scopes []string) {
	info.Subject = a.ID
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email = a.Email
		info.EmailVerified = oidc.Bool(a.ActivatedAt != nil || a.Status == domain.StatusActive)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = a.Name()
		info.GivenName = a.FirstName
		info.FamilyName = a.LastName
		info.PreferredUsername = a.Email
		if a.Language != "" {
			info.Locale = oidc.NewLocale(language.Make(a.Language))
		}
	}
}

// SetUserinfoFromScopes is deprecated in the library; the claims are set
// by SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's identity claims from the
// account as stored now, and adds sid, the session the token belongs to.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	a, err := s.activeAccount(ctx, req.GetSubject())
	if err != nil {
		return err
	}
	setIdentity(info, a, scopes)
	var sid string
	switch r := req.(type) {
	case *authRequest:
		sid = r.r.SessionID
	case *refreshRequest:
		sid = r.tok.SessionID
	}
	if sid != "" {
		info.AppendClaims("sid", sid)
	}
	return nil
}

var errTokenInactive = errors.New("token is not active")

// liveAccessToken returns the access token with the id when it belongs to
// the subject, is not revoked or expired, and its account is active.
func (s *storage) liveAccessToken(ctx context.Context, id, subject string) (*domain.Token, *domain.Account, error) {
	tok, err := s.store.TokenByID(ctx, id)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, nil, errTokenInactive
		}
		return nil, nil, serverError(err)
	}
	if tok.Kind != domain.TokenAccess || tok.AccountID != subject || tok.RevokedAt != nil ||
		!s.clock.Now().Before(tok.ExpiresAt) {
		return nil, nil, errTokenInactive
	}
	a, err := s.activeAccount(ctx, tok.AccountID)
	if err != nil {
		return nil, nil, errTokenInactive
	}
	return tok, a, nil
}

// SetUserinfoFromToken answers /userinfo for a live access token with
// the claims its scopes allow, read fresh from the account (SSO-5).
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	tok, a, err := s.liveAccessToken(ctx, tokenID, subject)
	if err != nil {
		return oidc.ErrAccessDenied().WithDescription("access token is not active")
	}
	setIdentity(info, a, tok.Scopes)
	return nil
}

// SetIntrospectionFromToken describes a live access token to a
// confidential client. A client learns only about tokens issued to it
// or naming it in their audience; anything else is inactive.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	tok, a, err := s.liveAccessToken(ctx, tokenID, subject)
	if err != nil {
		return err
	}
	if tok.ClientID != clientID && !slices.Contains(tok.Audience, clientID) {
		return errTokenInactive
	}
	info := new(oidc.UserInfo)
	setIdentity(info, a, tok.Scopes)
	resp.SetUserInfo(info)
	resp.Scope = slices.Clone(tok.Scopes)
	resp.ClientID = tok.ClientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(tok.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(tok.CreatedAt)
	resp.AuthTime = oidc.FromTime(tok.AuthTime)
	resp.Audience = slices.Clone(tok.Audience)
	resp.AuthenticationMethodsReferences = slices.Clone(tok.AMR)
	resp.Issuer = op.IssuerFromContext(ctx)
	if tok.SessionID != "" {
		resp.Claims = map[string]any{"sid": tok.SessionID}
	}
	return nil
}

// GetPrivateClaimsFromScopes adds nothing: it only feeds JWT access
// tokens, and EntryKeyID's access tokens are opaque.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}
