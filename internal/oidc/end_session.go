package oidc

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// serveEndSession is RP-initiated logout (/end_session).
//
// With a valid id_token_hint (signed by a published key; an expired one
// is accepted, as the specification allows) that carries sid, the session
// named by sid is ended at once, its tokens revoked and "signout"
// audited, and the browser goes to post_logout_redirect_uri with state.
// Without one, nobody is signed out here: the browser goes to the hosted
// /logout screen, which asks the person to confirm by POST. Either way
// post_logout_redirect_uri must be registered exactly for the client
// (from client_id or the hint's azp), or the request is refused.
func (p *Provider) serveEndSession(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, err := op.ParseEndSessionRequest(r, p.op.Decoder())
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	var claims *oidc.IDTokenClaims
	if req.IdTokenHint != "" {
		c, err := op.VerifyIDTokenHint[*oidc.IDTokenClaims](ctx, req.IdTokenHint, p.op.IDTokenHintVerifier(ctx))
		if err == nil || errors.As(err, &op.IDTokenHintExpiredError{}) {
			claims = c
		}
	}
	clientID := req.ClientID
	if claims != nil {
		azp := claims.AuthorizedParty
		if azp == "" && len(claims.Audience) == 1 {
			azp = claims.Audience[0]
		}
		if clientID != "" && clientID != azp {
			op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("client_id does not match the id_token_hint"), nil)
			return
		}
		clientID = azp
	}
	target, err := LogoutRedirect(ctx, p.store, clientID, req.PostLogoutRedirectURI, req.State)
	if domain.ErrorCode(err) == domain.EINVALID {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("%s", domain.ErrorMessage(err)), nil)
		return
	} else if err != nil {
		requestLogger(ctx, p.log).ErrorContext(ctx, "oidc: end session client", slog.Any("error", err))
		op.RequestError(w, r, oidc.ErrServerError().WithDescription("could not check the client"), nil)
		return
	}
	if claims == nil || claims.SessionID == "" {
		q := url.Values{}
		for k, v := range map[string]string{"client_id": clientID, "post_logout_redirect_uri": req.PostLogoutRedirectURI, "state": req.State} {
			if v != "" {
				q.Set(k, v)
			}
		}
		dest := "/logout"
		if len(q) > 0 {
			dest += "?" + q.Encode()
		}
		http.Redirect(w, r, p.cfg.URL(dest), http.StatusFound)
		return
	}
	if err := p.endSession(ctx, claims.SessionID, claims.Subject, clientID, remoteIP(r)); err != nil {
		requestLogger(ctx, p.log).ErrorContext(ctx, "oidc: end session", slog.Any("error", err))
		op.RequestError(w, r, oidc.ErrServerError().WithDescription("could not end the session"), nil)
		return
	}
	if target == "" {
		target = p.cfg.URL("/login")
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// endSession ends the session, revokes its tokens, records the
// back-channel logout notices of its portals and audits "signout", in one
// transaction: the same effect as accounts' EndSession. A session
// that is unknown, of another account, or already ended is left alone.
func (p *Provider) endSession(ctx context.Context, sid, accountID, clientID, ip string) error {
	sess, err := p.store.SessionByID(ctx, sid)
	if domain.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if sess.AccountID != accountID || sess.EndedAt != nil {
		return nil
	}
	now := p.clock.Now()
	return p.store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.EndSession(ctx, sid, now); err != nil {
			return err
		}
		if err := tx.RevokeBySession(ctx, sid, now); err != nil {
			return err
		}
		if err := p.EnqueueBackchannelLogout(ctx, tx, []string{sid}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &domain.AuditEvent{
			Time: now, Type: domain.AuditSignOut, AccountID: accountID, ClientID: clientID, IP: ip,
			Detail: "rp-initiated logout",
		})
	})
}

// LogoutRedirect returns where a browser goes after signing out at the
// request of clientID: postLogoutRedirectURI with state added, when the
// URI is registered exactly for the client; "" when no URI was given. An
// unknown client, or a URI given without a client or not registered for
// it, is an *domain.Error with EINVALID. The web package calls it when
// the person confirms at POST /logout, since its query can be forged.
func LogoutRedirect(ctx context.Context, store domain.Store, clientID, postLogoutRedirectURI, state string) (string, error) {
	if clientID == "" {
		if postLogoutRedirectURI != "" {
			return "", domain.Errorf(domain.EINVALID, "post_logout_redirect_uri needs client_id or id_token_hint")
		}
		return "", nil
	}
	c, err := store.ClientByID(ctx, clientID)
	if domain.IsNotFound(err) {
		return "", domain.Errorf(domain.EINVALID, "unknown client_id")
	} else if err != nil {
		return "", err
	}
	if postLogoutRedirectURI == "" {
		return "", nil
	}
	if !slices.Contains(c.PostLogoutRedirectURIs, postLogoutRedirectURI) {
		return "", domain.Errorf(domain.EINVALID, "post_logout_redirect_uri is not registered for this client")
	}
	u, err := url.Parse(postLogoutRedirectURI)
	if err != nil {
		return "", domain.Errorf(domain.EINVALID, "post_logout_redirect_uri is not a URL")
	}
	if state != "" {
		q := u.Query()
		q.Set("state", state)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}
