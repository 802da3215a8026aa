package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var (
	errCodeReplay    = errors.New("authorization code already used")
	errRefreshReplay = errors.New("refresh token already used")
)

// refreshRequest is a validated refresh token; it implements
// op.RefreshTokenRequest.
type refreshRequest struct {
	tok    *domain.Token
	sess   *domain.Session
	scopes []string // narrowed by the request's scope parameter, if any
}

func (r *refreshRequest) GetAMR() []string            { return slices.Clone(r.tok.AMR) }
func (r *refreshRequest) GetAudience() []string       { return slices.Clone(r.tok.Audience) }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.tok.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.tok.ClientID }
func (r *refreshRequest) GetScopes() []string         { return slices.Clone(r.scopes) }
func (r *refreshRequest) GetSubject() string          { return r.tok.AccountID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = slices.Clone(s) }

// newRefreshToken returns 256 random bits, base64url.
func newRefreshToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateAccessToken issues an access token for a code exchange without
// offline_access. The code is marked used in the same transaction.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	ar, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	access, _, err := s.issueFromCode(ctx, ar, false)
	if err != nil {
		return "", time.Time{}, err
	}
	return access.ID, access.ExpiresAt, nil
}

// CreateAccessAndRefreshTokens issues an access and a refresh token,
// either for a code exchange with offline_access or for a refresh grant,
// which rotates the presented refresh token.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	var access *domain.Token
	var refresh string
	var err error
	switch r := req.(type) {
	case *authRequest:
		access, refresh, err = s.issueFromCode(ctx, r, true)
	case *refreshRequest:
		if digest(current) != r.tok.ID {
			return "", "", time.Time{}, oidc.ErrInvalidGrant()
		}
		access, refresh, err = s.rotate(ctx, r)
	default:
		return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	return access.ID, refresh, access.ExpiresAt, nil
}

// issueFromCode marks the code used and stores the new tokens in one
// transaction, so a concurrent second exchange either sees the code used
// or revokes tokens that already exist. The account must be active and
// the session the code was issued in still live.
func (s *storage) issueFromCode(ctx context.Context, ar *authRequest, withRefresh bool) (*domain.Token, string, error) {
	if _, err := s.activeAccount(ctx, ar.r.AccountID); err != nil {
		return nil, "", err
	}
	now := s.clock.Now()
	base := domain.Token{
		FamilyID: newKeyID(), AuthRequestID: ar.r.ID, AccountID: ar.r.AccountID,
		ClientID: ar.r.ClientID, SessionID: ar.r.SessionID, Scopes: slices.Clone(ar.r.Scopes),
		Audience: []string{ar.r.ClientID}, AuthTime: ar.r.AuthTime, AMR: slices.Clone(amrPassword), CreatedAt: now,
	}
	access := s.accessToken(base, now)
	// Every exchange needs the sign-in's session still live: a code is
	// worth nothing once its session has signed out.
	sess, err := s.liveSession(ctx, ar.r.SessionID, ar.r.AccountID)
	if err != nil {
		return nil, "", err
	}
	var refresh *domain.Token
	var raw string
	if withRefresh {
		raw = newRefreshToken()
		refresh = s.refreshToken(base, raw, sess, now)
	}
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		first, err := tx.UseAuthCode(ctx, ar.r.ID, now)
		if err != nil {
			return err
		}
		if !first {
			return errCodeReplay
		}
		if err := tx.CreateToken(ctx, access); err != nil {
			return err
		}
		if refresh != nil {
			return tx.CreateToken(ctx, refresh)
		}
		return nil
	})
	if errors.Is(err, errCodeReplay) {
		s.codeReplay(ctx, ar.r)
		return nil, "", oidc.ErrInvalidGrant().WithDescription("code already used")
	}
	if err != nil {
		return nil, "", serverError(fmt.Errorf("issue tokens: %w", err))
	}
	return access, raw, nil
}

// rotate marks the presented refresh token used and stores its successor
// and a new access token in one transaction; the session counts as used.
func (s *storage) rotate(ctx context.Context, r *refreshRequest) (*domain.Token, string, error) {
	now := s.clock.Now()
	base := domain.Token{
		FamilyID: r.tok.FamilyID, AuthRequestID: r.tok.AuthRequestID, AccountID: r.tok.AccountID,
		ClientID: r.tok.ClientID, SessionID: r.tok.SessionID, Scopes: slices.Clone(r.scopes),
		Audience: slices.Clone(r.tok.Audience), AuthTime: r.tok.AuthTime, AMR: slices.Clone(r.tok.AMR), CreatedAt: now,
	}
	access := s.accessToken(base, now)
	raw := newRefreshToken()
	base.Scopes = slices.Clone(r.tok.Scopes) // the successor keeps the full grant
	refresh := s.refreshToken(base, raw, r.sess, now)
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		first, err := tx.UseRefreshToken(ctx, r.tok.ID, now)
		if err != nil {
			return err
		}
		if !first {
			return errRefreshReplay
		}
		if err := tx.CreateToken(ctx, access); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, refresh); err != nil {
			return err
		}
		return tx.TouchSession(ctx, r.sess.ID, now)
	})
	if errors.Is(err, errRefreshReplay) {
		s.refreshReplay(ctx, r.tok)
		return nil, "", oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	if err != nil {
		return nil, "", serverError(fmt.Errorf("rotate refresh token: %w", err))
	}
	return access, raw, nil
}

func (s *storage) accessToken(base domain.Token, now time.Time) *domain.Token {
	t := base
	t.ID, t.Kind, t.ExpiresAt = newKeyID(), domain.TokenAccess, now.Add(s.cfg.AccessTokenTTL)
	return &t
}

// refreshToken lives cfg.RefreshTokenTTL but never past its session.
func (s *storage) refreshToken(base domain.Token, raw string, sess *domain.Session, now time.Time) *domain.Token {
	t := base
	t.ID, t.Kind, t.ExpiresAt = digest(raw), domain.TokenRefresh, now.Add(s.cfg.RefreshTokenTTL)
	if sess.ExpiresAt.Before(t.ExpiresAt) {
		t.ExpiresAt = sess.ExpiresAt
	}
	t.Scopes = slices.Clone(base.Scopes)
	return &t
}

// liveSession returns the account's session when it is still active:
// not ended, within its maximum lifetime and idle timeout (SSO-2).
func (s *storage) liveSession(ctx context.Context, id, accountID string) (*domain.Session, error) {
	if id == "" {
		return nil, oidc.ErrInvalidGrant().WithDescription("no session")
	}
	sess, err := s.store.SessionByID(ctx, id)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, oidc.ErrInvalidGrant().WithDescription("session ended")
		}
		return nil, serverError(err)
	}
	if sess.AccountID != accountID || !sess.Active(s.clock.Now(), s.cfg.SessionIdle) {
		return nil, oidc.ErrInvalidGrant().WithDescription("session ended")
	}
	return sess, nil
}

// TokenRequestByRefreshToken validates a presented refresh token. A used
// one is a replay: its whole family is revoked and the event audited.
// The token also fails once revoked or expired, when the account is no
// longer active, or when its session has ended: refresh tokens end with
// the session they were issued in.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, raw string) (op.RefreshTokenRequest, error) {
	tok, err := s.store.TokenByID(ctx, digest(raw))
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, op.ErrInvalidRefreshToken
		}
		return nil, serverError(err)
	}
	if tok.Kind != domain.TokenRefresh {
		return nil, op.ErrInvalidRefreshToken
	}
	if tok.UsedAt != nil {
		s.refreshReplay(ctx, tok)
		return nil, errRefreshReplay
	}
	if tok.RevokedAt != nil || !s.clock.Now().Before(tok.ExpiresAt) {
		return nil, op.ErrInvalidRefreshToken
	}
	if _, err := s.activeAccount(ctx, tok.AccountID); err != nil {
		return nil, err
	}
	sess, err := s.liveSession(ctx, tok.SessionID, tok.AccountID)
	if err != nil {
		return nil, err
	}
	return &refreshRequest{tok: tok, sess: sess, scopes: slices.Clone(tok.Scopes)}, nil
}

// refreshReplay revokes the token's family and audits.
func (s *storage) refreshReplay(ctx context.Context, tok *domain.Token) {
	requestLogger(ctx, s.log).WarnContext(ctx, "oidc: refresh token replayed", slog.String("client_id", tok.ClientID))
	if err := s.store.RevokeFamily(ctx, tok.FamilyID, s.clock.Now()); err != nil {
		requestLogger(ctx, s.log).ErrorContext(ctx, "oidc: revoke family after refresh replay", slog.Any("error", err))
	}
	s.audit(ctx, &domain.AuditEvent{
		Type: domain.AuditRefreshReplay, AccountID: tok.AccountID, ClientID: tok.ClientID,
		Detail: "used refresh token presented again; its family revoked",
	})
}
