package web

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
)

// authRequest returns the OpenID Connect request the sign-in is for. It
// gives ENOTFOUND when there is none, it is past cfg.AuthRequestTTL, a
// code was already issued for it (the flow is over), or the browser is
// not the one that started it at /authorize (its browser cookie does not
// match): a request id sent to someone else leads nowhere, so nobody can
// be made to sign in for a request another browser will collect.
func (s *Server) authRequest(r *http.Request, id string) (*domain.AuthRequest, error) {
	ctx := r.Context()
	if id == "" || len(id) > 200 {
		return nil, domain.ErrNotFound("auth request")
	}
	ar, err := s.store.AuthRequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.clock.Now().Before(ar.CreatedAt.Add(s.cfg.AuthRequestTTL)) || ar.CodeDigest != "" {
		return nil, domain.ErrNotFound("auth request")
	}
	if !oidc.FromStartingBrowser(r, s.cfg, ar) {
		s.log.WarnContext(ctx, "web: sign-in for an auth request started by another browser refused",
			"client_id", ar.ClientID)
		return nil, domain.ErrNotFound("auth request")
	}
	return ar, nil
}

// complete records the signed-in session on the auth request and sends the
// browser back to the provider, which issues the code to the portal
// (LOGIN-7). A request is completed once: when it is already done, the
// browser goes on to the provider only if it was done by this very
// session (a reload); otherwise it has the error page, and the first
// sign-in stands.
func (s *Server) complete(w http.ResponseWriter, r *http.Request, ar *domain.AuthRequest, sess *domain.Session) {
	err := s.store.CompleteAuthRequest(r.Context(), ar.ID, sess.AccountID, sess.ID, sess.CreatedAt)
	if domain.IsConflict(err) {
		done, gerr := s.store.AuthRequestByID(r.Context(), ar.ID)
		if gerr != nil || done.SessionID != sess.ID {
			s.log.WarnContext(r.Context(), "web: auth request already completed by another sign-in", "client_id", ar.ClientID)
			s.fail(w, r, http.StatusConflict, "error.auth_request")
			return
		}
		err = nil
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, s.cfg.URL("/authorize/callback?id="+url.QueryEscape(ar.ID)), http.StatusFound)
}

// trySilent completes the auth request without a prompt when the browser
// has a live session (SSO-1) and the request allows it: no prompt=login,
// and a max_age the session's sign-in time satisfies. A prompt=none
// request that cannot be completed so goes back to the portal with
// error=login_required (OpenID Connect Core 3.1.2.6). It reports whether
// it answered the request.
func (s *Server) trySilent(w http.ResponseWriter, r *http.Request, ar *domain.AuthRequest) bool {
	login, none := slices.Contains(ar.Prompt, "login"), slices.Contains(ar.Prompt, "none")
	if login && !none {
		return false
	}
	sess, _, err := s.session(r)
	if err != nil {
		s.failErr(w, r, err)
		return true
	}
	if sess != nil && !login && s.fresh(ar, sess) {
		s.complete(w, r, ar, sess)
		return true
	}
	if none {
		s.loginRequired(w, r, ar)
		return true
	}
	return false
}

// fresh reports whether the session's sign-in is recent enough for the
// request's max_age.
func (s *Server) fresh(ar *domain.AuthRequest, sess *domain.Session) bool {
	if ar.MaxAge == nil {
		return true
	}
	return s.clock.Now().Sub(sess.CreatedAt) <= time.Duration(*ar.MaxAge)*time.Second
}

// loginRequired redirects to the portal's registered redirect URI (the
// provider checked it exactly when it stored the request) with
// error=login_required and the request's state.
func (s *Server) loginRequired(w http.ResponseWriter, r *http.Request, ar *domain.AuthRequest) {
	u, err := url.Parse(ar.RedirectURI)
	if err != nil || ar.RedirectURI == "" {
		s.fail(w, r, http.StatusBadRequest, "error.auth_request")
		return
	}
	v := url.Values{"error": {"login_required"}}
	if ar.State != "" {
		v.Set("state", ar.State)
	}
	if ar.ResponseMode == "fragment" {
		u.Fragment = v.Encode()
	} else {
		q := u.Query()
		for k, vs := range v {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// session returns the live session of the request's session cookie, or
// nils when there is none. Only a fault of the store is an error.
func (s *Server) session(r *http.Request) (*domain.Session, *domain.Account, error) {
	v := cookieValue(r, s.sessionCookie())
	if v == "" {
		return nil, nil, nil
	}
	sess, a, err := s.accounts.Session(r.Context(), v)
	if domain.IsNotFound(err) {
		return nil, nil, nil
	}
	return sess, a, err
}

// meta describes the request for the audit log.
func meta(r *http.Request, clientID string) accounts.Meta {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	ua := r.UserAgent()
	if len(ua) > 512 {
		ua = ua[:512]
	}
	return accounts.Meta{IP: ip, UserAgent: ua, ClientID: clientID}
}
