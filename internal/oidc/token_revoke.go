package oidc

import (
	"context"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// GetRefreshTokenInfo identifies a refresh token for revocation.
func (s *storage) GetRefreshTokenInfo(ctx context.Context, _ string, raw string) (string, string, error) {
	tok, err := s.store.TokenByID(ctx, digest(raw))
	if err != nil {
		if domain.IsNotFound(err) {
			return "", "", op.ErrInvalidRefreshToken
		}
		return "", "", err
	}
	if tok.Kind != domain.TokenRefresh {
		return "", "", op.ErrInvalidRefreshToken
	}
	return tok.AccountID, tok.ID, nil
}

// RevokeToken revokes a token (RFC 7009). The library passes the id of a
// token it could identify, with its subject; an unidentified token comes
// with no subject and is ignored, as the RFC asks for invalid tokens. A
// refresh token takes its whole family with it, access tokens included;
// an access token goes alone. A token issued to another client is refused.
func (s *storage) RevokeToken(ctx context.Context, id, subject, clientID string) *oidc.Error {
	if subject == "" {
		return nil
	}
	tok, err := s.store.TokenByID(ctx, id)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil
		}
		return oidc.ErrServerError().WithParent(err)
	}
	if tok.AccountID != subject {
		return nil
	}
	if tok.ClientID != clientID {
		return oidc.ErrUnauthorizedClient().WithDescription("token was not issued to this client")
	}
	now := s.clock.Now()
	if tok.Kind == domain.TokenRefresh {
		err = s.store.RevokeFamily(ctx, tok.FamilyID, now)
	} else {
		err = s.store.RevokeToken(ctx, tok.ID, now)
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// TerminateSession is the library's logout by user id. EntryKeyID serves
// /end_session itself and ends exactly the session named by the ID token
// hint's sid, never every session of a user, so this path refuses.
func (s *storage) TerminateSession(context.Context, string, string) error {
	return oidc.ErrInvalidRequest().WithDescription("a valid id_token_hint is required")
}
