package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the
// identity provider posts a signed logout token when a single sign-on
// session ends, and the portal drops its sessions of that sid (or, for
// a token without sid, of that subject) at once, without waiting for the
// person's next page view.
const (
	backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"
	// logoutSkew is the clock difference tolerated between the provider
	// and the portal; logoutMaxAge how old a token's iat may be.
	logoutSkew   = time.Minute
	logoutMaxAge = 10 * time.Minute
)

// BackchannelLogoutURI is where the provider posts logout tokens.
func BackchannelLogoutURI(baseURL string) string {
	return strings.TrimRight(baseURL, "/") + "/backchannel-logout"
}

// logoutClaims are the claims of a logout token the portal reads.
type logoutClaims struct {
	Issuer   string                     `json:"iss"`
	Subject  string                     `json:"sub"`
	Audience audience                   `json:"aud"`
	IssuedAt *float64                   `json:"iat"`
	Expiry   *float64                   `json:"exp"`
	JTI      string                     `json:"jti"`
	SID      string                     `json:"sid"`
	Events   map[string]json.RawMessage `json:"events"`
	Nonce    *json.RawMessage           `json:"nonce"`
}

// audience is the aud claim: one string or an array of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// backchannelLogout validates the posted logout_token and drops the
// sessions it names. An invalid token is answered 400 and changes
// nothing; a valid one 200, whether or not a session matched.
func (p *Portal) backchannelLogout(w http.ResponseWriter, r *http.Request) {
	claims, err := p.verifyLogoutToken(r)
	if err != nil {
		p.log.Warn("back-channel logout refused", slog.String("error", err.Error()))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	n := p.dropSessions(claims.SID, claims.Subject)
	p.log.Info("back-channel logout", slog.String("sub", claims.Subject), slog.Int("sessions", n))
	w.WriteHeader(http.StatusOK)
}

// verifyLogoutToken checks the token's signature against the provider's
// published keys, then iss, aud, iat, exp, the event, the absence of a
// nonce and the presence of sid or sub.
func (p *Portal) verifyLogoutToken(r *http.Request) (*logoutClaims, error) {
	raw := r.PostFormValue("logout_token")
	if raw == "" {
		return nil, errors.New("no logout_token")
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("logout_token is not a signed JWT: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("logout_token must have one signature")
	}
	if typ, ok := jws.Signatures[0].Header.ExtraHeaders["typ"]; ok && typ != "logout+jwt" && typ != "JWT" {
		return nil, fmt.Errorf("logout_token typ %v", typ)
	}
	payload, err := p.party.IDTokenVerifier().KeySet.VerifySignature(r.Context(), jws)
	if err != nil {
		return nil, fmt.Errorf("logout_token signature: %w", err)
	}
	var c logoutClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("logout_token claims: %w", err)
	}
	now := time.Now()
	switch {
	case c.Issuer != p.party.Issuer():
		return nil, errors.New("logout_token iss is not the provider")
	case !containsString(c.Audience, p.cfg.ClientID):
		return nil, errors.New("logout_token aud is not this portal")
	case c.IssuedAt == nil || c.Expiry == nil:
		return nil, errors.New("logout_token lacks iat or exp")
	case unix(*c.Expiry).Before(now.Add(-logoutSkew)):
		return nil, errors.New("logout_token expired")
	case unix(*c.IssuedAt).After(now.Add(logoutSkew)) || unix(*c.IssuedAt).Before(now.Add(-logoutMaxAge)):
		return nil, errors.New("logout_token iat is out of range")
	case c.Nonce != nil:
		return nil, errors.New("logout_token carries a nonce")
	case c.SID == "" && c.Subject == "":
		return nil, errors.New("logout_token has neither sid nor sub")
	}
	ev, ok := c.Events[backchannelEvent]
	if !ok || len(ev) == 0 || ev[0] != '{' {
		return nil, errors.New("logout_token lacks the back-channel logout event")
	}
	return &c, nil
}

// dropSessions forgets every session of the single sign-on session sid
// (and subject sub when the token names one), or, without sid, every
// session of sub. It returns how many it dropped; their cookies become
// worthless.
func (p *Portal) dropSessions(sid, sub string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for key, s := range p.sessions {
		match := (sid != "" && s.sid == sid && (sub == "" || s.subject == sub)) ||
			(sid == "" && s.subject == sub)
		if match {
			delete(p.sessions, key)
			n++
		}
	}
	return n
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func unix(sec float64) time.Time { return time.Unix(int64(sec), 0) }
