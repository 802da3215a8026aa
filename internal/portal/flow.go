package portal

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// startLogin begins the authorization code flow: it remembers a state,
// PKCE verifier and nonce, binds the state to this browser with a cookie,
// and sends the browser to the provider.
func (p *Portal) startLogin(w http.ResponseWriter, r *http.Request) {
	if _, s := p.currentSession(r); s != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	lang := pageLanguage(r, "")
	state, l := randomString(), &login{
		verifier: randomString(),
		nonce:    randomString(),
		lang:     lang,
		started:  time.Now(),
	}
	p.mu.Lock()
	for k, old := range p.logins {
		if time.Since(old.started) > LoginTimeout {
			delete(p.logins, k)
		}
	}
	p.logins[state] = l
	p.mu.Unlock()

	p.setCookie(w, p.loginCookie(), state, "/callback", int(LoginTimeout.Seconds()))
	authURL := rp.AuthURL(state, p.party,
		rp.WithCodeChallenge(zoidc.NewSHACodeChallenge(l.verifier)),
		rp.AuthURLOpt(rp.WithURLParam("nonce", l.nonce)),
		rp.AuthURLOpt(rp.WithURLParam("ui_locales", lang)),
	)
	http.Redirect(w, r, authURL, http.StatusFound)
}

// callback completes the flow: the state must be the one this browser
// started, the code is exchanged with the PKCE verifier, and the ID
// token's signature, issuer, audience, expiry and nonce are verified.
func (p *Portal) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(p.loginCookie())
	if state == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		p.fail(w, r, http.StatusBadRequest, "errNotStarted")
		return
	}
	p.setCookie(w, p.loginCookie(), "", "/callback", -1)
	p.mu.Lock()
	l := p.logins[state]
	delete(p.logins, state)
	p.mu.Unlock()
	if l == nil || time.Since(l.started) > LoginTimeout {
		p.fail(w, r, http.StatusBadRequest, "errTooLong")
		return
	}
	if e := q.Get("error"); e != "" {
		p.log.Info("sign-in refused by the provider", slog.String("error", e))
		p.fail(w, r, http.StatusUnauthorized, "errRefused", e)
		return
	}

	ctx := context.WithValue(r.Context(), nonceKey{}, l.nonce)
	tokens, err := rp.CodeExchange[*zoidc.IDTokenClaims](ctx, q.Get("code"), p.party, rp.WithCodeVerifier(l.verifier))
	if err != nil {
		p.log.Warn("code exchange failed", slog.String("error", err.Error()))
		p.fail(w, r, http.StatusBadGateway, "errExchange")
		return
	}
	claims := tokens.IDTokenClaims
	s := &session{
		subject:  claims.GetSubject(),
		name:     displayName(claims.Name, claims.GivenName, claims.FamilyName),
		email:    claims.Email,
		idToken:  tokens.IDToken,
		sid:      claims.SessionID,
		access:   tokens.AccessToken,
		refresh:  tokens.RefreshToken,
		expiry:   tokens.Expiry,
		csrf:     randomString(),
		lang:     l.lang,
		signedIn: time.Now(),
	}
	if lang := localeLanguage(claims.Locale); lang != "" {
		s.lang = lang
	}
	if s.name == "" || s.email == "" {
		if info, err := rp.Userinfo[*zoidc.UserInfo](r.Context(), s.access, tokens.TokenType, s.subject, p.party); err == nil {
			s.fillFrom(info)
		}
	}
	key := randomString()
	p.mu.Lock()
	p.sessions[key] = s
	p.mu.Unlock()
	// A browser-session cookie, like the identity provider's: closing the
	// browser signs out here too. The session behind it still ends after
	// SessionTimeout.
	p.setCookie(w, p.sessionCookie(), key, "/", 0)
	p.log.Info("signed in", slog.String("sub", s.subject))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the portal session (the form must carry its CSRF token) and
// sends the browser to the provider's end_session endpoint with the ID
// token as hint, which ends the single sign-on session.
func (p *Portal) logout(w http.ResponseWriter, r *http.Request) {
	key, s := p.currentSession(r)
	if s == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) != 1 {
		p.fail(w, r, http.StatusForbidden, "errForm")
		return
	}
	p.endSession(w, key)
	p.mu.Lock()
	idToken, lang := s.idToken, pageLanguage(r, s.lang)
	p.mu.Unlock()
	target, err := p.endSessionURL(idToken, lang)
	if err != nil {
		p.log.Warn("no sign-out at the provider", slog.String("error", err.Error()))
		target = "/"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// check asks the provider whether the session's tokens still hold,
// refreshing an expired access token first, and keeps the latest name and
// email. It reports false when the provider no longer honours them, as
// after a sign-out in another portal.
func (p *Portal) check(ctx context.Context, s *session) bool {
	p.mu.Lock()
	access, refresh, expiry := s.access, s.refresh, s.expiry
	p.mu.Unlock()
	if !expiry.IsZero() && time.Now().After(expiry.Add(-10*time.Second)) {
		if refresh == "" {
			return false
		}
		tokens, err := rp.RefreshTokens[*zoidc.IDTokenClaims](ctx, p.party, refresh, "", "")
		if err != nil {
			p.log.Info("refresh refused; signing out", slog.String("error", err.Error()))
			return false
		}
		p.mu.Lock()
		s.access, s.expiry = tokens.AccessToken, tokens.Expiry
		if tokens.RefreshToken != "" {
			s.refresh = tokens.RefreshToken
		}
		if tokens.IDToken != "" {
			s.idToken = tokens.IDToken
		}
		access = s.access
		p.mu.Unlock()
	}
	info, err := rp.Userinfo[*zoidc.UserInfo](ctx, access, zoidc.BearerToken, s.subject, p.party)
	if err != nil {
		p.log.Info("userinfo refused; signing out", slog.String("error", err.Error()))
		return false
	}
	p.mu.Lock()
	s.fillFrom(info)
	p.mu.Unlock()
	return true
}

// fillFrom takes name, email and language from userinfo when it has
// them.
func (s *session) fillFrom(info *zoidc.UserInfo) {
	if lang := localeLanguage(info.Locale); lang != "" {
		s.lang = lang
	}
	if n := displayName(info.Name, info.GivenName, info.FamilyName); n != "" {
		s.name = n
	}
	if info.Email != "" {
		s.email = info.Email
	}
}

// displayName prefers the full name claim, then given and family names.
func displayName(name, given, family string) string {
	switch {
	case name != "":
		return name
	case given != "" && family != "":
		return given + " " + family
	}
	return given + family
}
