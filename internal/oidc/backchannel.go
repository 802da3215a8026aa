package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// BackchannelLogoutEvent is the member of a logout token's events claim
// (OpenID Connect Back-Channel Logout 1.0, section 2.4).
const BackchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// LogoutTokenType is the typ header of a logout token (section 2.4).
const LogoutTokenType = "logout+jwt"

// logoutTokenLifetime is how long a logout token is accepted; each
// delivery attempt signs a fresh one.
const logoutTokenLifetime = 2 * time.Minute

// EnqueueBackchannelLogout records, through tx (the Store of the
// transaction that ended the sessions), one back-channel logout notice
// for each client that was issued tokens in each session and has a
// BackchannelLogoutURI (SSO-3). It sends nothing: the provider's
// BackchannelWorker delivers the notices after the commit. A session
// ended twice gets one notice per client. Its signature is
// accounts.LogoutNotifier's, so the server sets it with
// accounts.(*Service).SetLogoutNotifier.
func (p *Provider) EnqueueBackchannelLogout(ctx context.Context, tx domain.Store, sessionIDs []string) error {
	now := p.clock.Now()
	queued := false
	for _, sid := range sessionIDs {
		sess, err := tx.SessionByID(ctx, sid)
		if domain.IsNotFound(err) {
			continue
		} else if err != nil {
			return err
		}
		clients, err := tx.ClientsForSession(ctx, sid)
		if err != nil {
			return err
		}
		for _, id := range clients {
			c, err := tx.ClientByID(ctx, id)
			if domain.IsNotFound(err) {
				continue
			} else if err != nil {
				return err
			}
			if c.BackchannelLogoutURI == "" {
				continue
			}
			d := &domain.LogoutDelivery{ClientID: c.ID, SessionID: sid, AccountID: sess.AccountID,
				CreatedAt: now, NextAttemptAt: now}
			if err := tx.EnqueueLogout(ctx, d); err != nil {
				return err
			}
			queued = true
		}
	}
	if queued {
		// Perhaps before the commit: then the worker finds nothing now
		// and the notice at its next poll, a second later.
		p.backchannel.Notify()
	}
	return nil
}

// logoutToken returns a logout token for the notice, signed with the
// client's algorithm (or the server's): iss, aud (the client), iat, exp
// (two minutes), jti, sid, sub and the back-channel logout event; never
// a nonce.
func (p *Provider) logoutToken(ctx context.Context, c *domain.Client, d *domain.LogoutDelivery) (string, error) {
	alg := p.cfg.SigningAlg
	if c.SigningAlg == AlgRS256 || c.SigningAlg == AlgES256 {
		alg = c.SigningAlg
	}
	k, err := p.keys.signer(ctx, alg)
	if err != nil {
		return "", err
	}
	now := p.clock.Now()
	claims := &oidc.LogoutTokenClaims{
		Issuer:     p.cfg.Issuer,
		Subject:    d.AccountID,
		Audience:   oidc.Audience{c.ID},
		IssuedAt:   oidc.FromTime(now),
		Expiration: oidc.FromTime(now.Add(logoutTokenLifetime)),
		JWTID:      newKeyID(),
		Events:     map[string]any{BackchannelLogoutEvent: struct{}{}},
		SessionID:  d.SessionID,
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("oidc: logout token claims: %w", err)
	}
	opts := (&jose.SignerOptions{}).WithType(LogoutTokenType).WithHeader("kid", k.id)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.private}, opts)
	if err != nil {
		return "", fmt.Errorf("oidc: logout token signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oidc: sign logout token: %w", err)
	}
	return jws.CompactSerialize()
}
