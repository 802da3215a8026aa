package oidc

import (
	"context"
	"errors"
	"log/slog"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// storage adapts domain.Store to the library's op.Storage. Its methods
// are spread over authrequest_store.go, token_store.go, token_revoke.go,
// claims.go and this file.
type storage struct {
	store domain.Store
	cfg   config.Config
	clock domain.Clock
	log   *slog.Logger
	keys  *keyRing
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

// Health reports whether the database answers.
func (s *storage) Health(ctx context.Context) error { return s.store.Ping(ctx) }

// serverError wraps a fault of ours so the library answers server_error
// rather than blaming the client.
func serverError(err error) error {
	return oidc.ErrServerError().WithParent(err)
}

// clientByID reads a client once per request.
func (s *storage) clientByID(ctx context.Context, id string) (*domain.Client, error) {
	st := stateFrom(ctx)
	if st != nil {
		if c, ok := st.clients[id]; ok {
			st.alg = c.SigningAlg
			return c, nil
		}
	}
	c, err := s.store.ClientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if st != nil {
		if st.clients == nil {
			st.clients = map[string]*domain.Client{}
		}
		st.clients[id] = c
		st.alg = c.SigningAlg
	}
	return c, nil
}

// accountByID reads an account once per request. It is always read from
// the store, never from a token, so a change applies at once (SSO-5).
func (s *storage) accountByID(ctx context.Context, id string) (*domain.Account, error) {
	st := stateFrom(ctx)
	if st != nil {
		if a, ok := st.accounts[id]; ok {
			return a, nil
		}
	}
	a, err := s.store.AccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if st != nil {
		if st.accounts == nil {
			st.accounts = map[string]*domain.Account{}
		}
		st.accounts[id] = a
	}
	return a, nil
}

// activeAccount returns the account when it may use tokens: active and
// not locked.
func (s *storage) activeAccount(ctx context.Context, id string) (*domain.Account, error) {
	a, err := s.accountByID(ctx, id)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, oidc.ErrInvalidGrant().WithDescription("account not found")
		}
		return nil, serverError(err)
	}
	if a.Status != domain.StatusActive || a.Locked() {
		return nil, oidc.ErrInvalidGrant().WithDescription("account is not active")
	}
	return a, nil
}

// GetClientByClientID loads a client. An unknown client is
// invalid_client (so a token request naming one is answered 401
// invalid_client, not 500); a database fault is a server_error.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := s.clientByID(ctx, clientID)
	if err != nil {
		if domain.IsNotFound(err) {
			return nil, oidc.ErrInvalidClient().WithDescription("client authentication failed")
		}
		return nil, serverError(err)
	}
	return &client{c: c, cfg: s.cfg}, nil
}

// AuthorizeClientIDSecret checks a confidential client's secret against
// its stored SHA-256 digest in constant time. Public clients have no
// secret and always fail here.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, clientSecret string) error {
	c, err := s.clientByID(ctx, clientID)
	if err != nil {
		if domain.IsNotFound(err) {
			return errors.New("unknown client")
		}
		return serverError(err)
	}
	if c.Public || !secretMatches(c.SecretDigest, clientSecret) {
		return errors.New("wrong client secret")
	}
	return nil
}

// signingAlg is the algorithm for the request's client: its own
// SigningAlg, else the server's.
func (s *storage) signingAlg(ctx context.Context) string {
	if st := stateFrom(ctx); st != nil && (st.alg == AlgRS256 || st.alg == AlgES256) {
		return st.alg
	}
	return s.cfg.SigningAlg
}

// SigningKey returns the parsed key for the request's algorithm.
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.keys.signer(ctx, s.signingAlg(ctx))
	if err != nil {
		return nil, serverError(err)
	}
	return k, nil
}

// SignatureAlgorithms lists the algorithms ID tokens may be signed with:
// the server's, and the other one when a key of it is published.
func (s *storage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(s.cfg.SigningAlg)}
	for _, k := range s.keys.current(ctx).published {
		if !containsAlg(algs, k.Algorithm()) {
			algs = append(algs, k.Algorithm())
		}
	}
	return algs, nil
}

func containsAlg(algs []jose.SignatureAlgorithm, a jose.SignatureAlgorithm) bool {
	for _, x := range algs {
		if x == a {
			return true
		}
	}
	return false
}

// KeySet returns the published keys: every unretired signature key and
// those retired less than 24 hours ago. Sealing keys are never in it.
func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	return s.keys.current(ctx).published, nil
}

// GetKeyByIDAndClientID serves the JWT profile grant and private_key_jwt,
// which EntryKeyID does not offer: clients have no keys.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("clients have no registered keys")
}

// ValidateJWTProfileScopes refuses the JWT profile grant, which
// EntryKeyID does not offer.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

// audit appends a security event; a failure is logged, never returned,
// because the protocol answer has already been decided.
func (s *storage) audit(ctx context.Context, e *domain.AuditEvent) {
	e.Time = s.clock.Now()
	if st := stateFrom(ctx); st != nil && e.IP == "" {
		e.IP = st.ip
	}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		requestLogger(ctx, s.log).ErrorContext(ctx, "oidc: audit", slog.String("type", e.Type), slog.Any("error", err))
	}
}
