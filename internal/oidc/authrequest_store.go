package oidc

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// amrPassword is the only authentication method EntryKeyID has.
var amrPassword = []string{"pwd"}

// authRequest adapts a domain.AuthRequest to op.AuthRequest.
type authRequest struct {
	r *domain.AuthRequest
}

func (a *authRequest) GetID() string         { return a.r.ID }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAMR() []string      { return slices.Clone(amrPassword) }
func (a *authRequest) GetAudience() []string { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.r.AuthTime
}
func (a *authRequest) GetClientID() string { return a.r.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.r.ResponseMode) }
func (a *authRequest) GetScopes() []string                { return slices.Clone(a.r.Scopes) }
func (a *authRequest) GetState() string                   { return a.r.State }
func (a *authRequest) GetSubject() string                 { return a.r.AccountID }
func (a *authRequest) Done() bool                         { return a.r.Done }

// CodeLifetime is how long an authorization code can be exchanged, from
// the moment it is issued.
const CodeLifetime = 60 * time.Second

// expired reports whether the request, and so its code, is past
// cfg.AuthRequestTTL from the authorize call.
func (s *storage) expired(r *domain.AuthRequest) bool {
	return !s.clock.Now().Before(r.CreatedAt.Add(s.cfg.AuthRequestTTL))
}

// codeExpired reports whether the request's code is CodeLifetime old or
// older, or was never issued.
func (s *storage) codeExpired(r *domain.AuthRequest) bool {
	return r.CodeIssuedAt.IsZero() || !s.clock.Now().Before(r.CodeIssuedAt.Add(CodeLifetime))
}

// CreateAuthRequest stores a validated authorization request, bound to
// the browser that sent it (the digest of its browser secret, which the
// /authorize interceptor put in the request state; without one the
// request is refused). On top of the library's checks it insists on an
// exactly registered redirect URI and on PKCE: S256 only ("plain" is
// refused), and required for public clients.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	st := stateFrom(ctx)
	if st == nil || st.browserDigest == "" {
		return nil, serverError(errors.New("authorization request without a browser binding"))
	}
	c, err := s.clientByID(ctx, req.ClientID)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("unknown client")
		}
		return nil, serverError(err)
	}
	if !slices.Contains(c.RedirectURIs, req.RedirectURI) {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("The redirect_uri is not registered for this client.")
	}
	if req.CodeChallenge == "" && c.Public {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256.")
	}
	if req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("Only code_challenge_method=S256 is supported.")
	}
	r := &domain.AuthRequest{
		ID:            newKeyID(),
		ClientID:      req.ClientID,
		RedirectURI:   req.RedirectURI,
		Scopes:        slices.Clone([]string(req.Scopes)),
		State:         req.State,
		Nonce:         req.Nonce,
		ResponseType:  string(req.ResponseType),
		ResponseMode:  string(req.ResponseMode),
		CodeChallenge: req.CodeChallenge,
		CodeMethod:    string(req.CodeChallengeMethod),
		Prompt:        slices.Clone([]string(req.Prompt)),
		LoginHint:     req.LoginHint,
		CreatedAt:     s.clock.Now(),
		BrowserDigest: st.browserDigest,
	}
	if req.MaxAge != nil {
		m := int64(*req.MaxAge)
		r.MaxAge = &m
	}
	for _, tag := range req.UILocales {
		r.UILocales = append(r.UILocales, tag.String())
	}
	if err := s.store.CreateAuthRequest(ctx, r); err != nil {
		return nil, serverError(err)
	}
	return &authRequest{r: r}, nil
}

// AuthRequestByID serves /authorize/callback. A request that is unknown,
// expired or has already had its code issued is refused, so a callback
// URL replayed cannot mint a second code.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.store.AuthRequestByID(ctx, id)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, oidc.ErrInvalidRequest().WithDescription("unknown or expired authorization request")
		}
		return nil, serverError(err)
	}
	if s.expired(r) || r.CodeDigest != "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown or expired authorization request")
	}
	return &authRequest{r: r}, nil
}

// SaveAuthCode stores the SHA-256 digest of the code, never the code, and
// when it was issued. A request gets one code: when another was issued
// meanwhile (two callbacks at once), this one is refused with no redirect.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	err := s.store.IssueAuthCode(ctx, id, digest(code), s.clock.Now())
	switch {
	case err == nil:
		return nil
	case domain.IsConflict(err), domain.IsNotFound(err):
		return oidc.ErrInvalidRequestRedirectURI().WithDescription("The code of this sign-in was already issued.")
	}
	return serverError(err)
}

// AuthRequestByCode finds the request a code was issued for. A code seen
// before is a replay: every token issued from its request is revoked and
// the event is audited (RFC 6749 section 4.1.2). A code is good for
// CodeLifetime from its issue, and never past the request's lifetime.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.store.AuthRequestByCode(ctx, digest(code))
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, errors.New("unknown code")
		}
		return nil, serverError(err)
	}
	if r.CodeUsedAt != nil {
		s.codeReplay(ctx, r)
		return nil, errors.New("code already used")
	}
	if s.expired(r) || s.codeExpired(r) || !r.Done {
		return nil, errors.New("code expired")
	}
	return &authRequest{r: r}, nil
}

// DeleteAuthRequest is what the library calls after a code exchange. The
// row is kept, with its code marked used by the exchange, so that a
// second exchange is recognised as a replay; expired rows are removed by
// store.DeleteAuthRequestsBefore.
func (s *storage) DeleteAuthRequest(context.Context, string) error { return nil }

// codeReplay revokes every token issued from the request and audits.
func (s *storage) codeReplay(ctx context.Context, r *domain.AuthRequest) {
	requestLogger(ctx, s.log).WarnContext(ctx, "oidc: authorization code replayed", slog.String("client_id", r.ClientID))
	if err := s.store.RevokeByAuthRequest(ctx, r.ID, s.clock.Now()); err != nil {
		requestLogger(ctx, s.log).ErrorContext(ctx, "oidc: revoke after code replay", slog.Any("error", err))
	}
	s.audit(ctx, &domain.AuditEvent{
		Type: domain.AuditCodeReplay, AccountID: r.AccountID, ClientID: r.ClientID,
		Detail: "authorization code presented again; tokens from it revoked",
	})
}
