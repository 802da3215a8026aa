package oidc

import (
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Limits on what /authorize accepts. Everything it stores is bounded.
const (
	maxClientIDLen    = 200
	maxRedirectURILen = 2048
	maxStateLen       = 512
	maxNonceLen       = 512
	maxLoginHintLen   = 320 // an email address (RFC 5321)
	maxUILocales      = 10
	maxUILocaleLen    = 35 // a BCP 47 tag (RFC 5646 section 4.4.1)
	maxScopeLen       = 1024
	maxPromptLen      = 64
	maxIDTokenHintLen = 16 << 10
	maxOtherParamLen  = 256 // display, acr_values, response_type, ...
	codeChallengeLen  = 43  // base64url of a SHA-256 (RFC 7636 section 4.2)
	maxMaxAge         = math.MaxInt32
)

// singleParams are the authorization request parameters that may appear
// at most once (RFC 6749 section 3.1).
var singleParams = []string{"client_id", "redirect_uri", "response_type", "response_mode", "scope", "state",
	"nonce", "prompt", "max_age", "ui_locales", "login_hint", "id_token_hint", "acr_values", "display",
	"code_challenge", "code_challenge_method", "request", "request_uri", "claims", "registration"}

// checkAuthorize runs before the library sees an authorization request.
// It reports whether the library may go on; otherwise it has answered.
//
// First the client and the redirect URI: an unknown client, or a
// redirect URI missing, too long or not registered exactly for the
// client, whatever the client's type (no loopback port leeway), gets the
// error page and never a redirect (OpenID Connect Core 3.1.2.6). Once
// both are good, every other problem goes back to the portal as
// error=invalid_request: a repeated parameter, one that does not parse
// (max_age=-1), or one over its limit (state and nonce 512 bytes,
// login_hint 320, ui_locales 10 tags of 35, scope 1024, a code_challenge
// that is not 43 base64url characters). The state is echoed only when
// it is within its limit.
func (p *Provider) checkAuthorize(w http.ResponseWriter, r *http.Request) bool {
	ctx := r.Context()
	log := requestLogger(ctx, p.log)
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, r, http.StatusBadRequest)
		return false
	}
	f := r.Form
	clientID, redirectURI := f.Get("client_id"), f.Get("redirect_uri")
	if len(f["client_id"]) != 1 || len(f["redirect_uri"]) != 1 || clientID == "" || redirectURI == "" ||
		len(clientID) > maxClientIDLen || len(redirectURI) > maxRedirectURILen {
		log.InfoContext(ctx, "oidc: authorize refused: client_id or redirect_uri missing, repeated or too long")
		writeErrorPage(w, r, http.StatusBadRequest)
		return false
	}
	c, err := p.storage.clientByID(ctx, clientID)
	if err != nil {
		if domain.IsNotFound(err) {
			log.InfoContext(ctx, "oidc: authorize refused: unknown client")
			writeErrorPage(w, r, http.StatusBadRequest)
			return false
		}
		log.ErrorContext(ctx, "oidc: authorize: read client", slog.Any("error", err))
		writeErrorPage(w, r, http.StatusInternalServerError)
		return false
	}
	if !slices.Contains(c.RedirectURIs, redirectURI) {
		log.InfoContext(ctx, "oidc: authorize refused: redirect_uri not registered", slog.String("client_id", clientID))
		writeErrorPage(w, r, http.StatusBadRequest)
		return false
	}

	state := f.Get("state")
	if len(state) > maxStateLen {
		state = ""
	}
	if rm := f.Get("response_mode"); rm != "" && rm != string(oidc.ResponseModeQuery) {
		p.authorizeError(w, r, redirectURI, state, oidc.ErrInvalidRequest().WithDescription("response_mode must be query."))
		return false
	}
	if problem := authorizeParamProblem(f); problem != "" {
		p.authorizeError(w, r, redirectURI, state, oidc.ErrInvalidRequest().WithDescription("%s", problem))
		return false
	}
	req, err := op.ParseAuthorizeRequest(r, p.op.Decoder())
	if err != nil {
		p.authorizeError(w, r, redirectURI, state, oidc.ErrInvalidRequest().WithDescription("A parameter is malformed."))
		return false
	}
	if req.MaxAge != nil && *req.MaxAge > maxMaxAge {
		p.authorizeError(w, r, redirectURI, state, oidc.ErrInvalidRequest().WithDescription("max_age is too large."))
		return false
	}
	return true
}

// authorizeParamProblem returns what is wrong with the parameters other
// than client_id and redirect_uri, or "".
func authorizeParamProblem(f url.Values) string {
	for _, name := range singleParams {
		if len(f[name]) > 1 {
			return name + " is repeated."
		}
	}
	for _, l := range []struct {
		name string
		max  int
	}{
		{"state", maxStateLen}, {"nonce", maxNonceLen}, {"login_hint", maxLoginHintLen},
		{"scope", maxScopeLen}, {"prompt", maxPromptLen}, {"id_token_hint", maxIDTokenHintLen},
		{"ui_locales", maxUILocales * (maxUILocaleLen + 1)},
		{"response_type", maxOtherParamLen}, {"response_mode", maxOtherParamLen}, {"max_age", maxOtherParamLen},
		{"acr_values", maxOtherParamLen}, {"display", maxOtherParamLen}, {"code_challenge_method", maxOtherParamLen},
	} {
		if len(f.Get(l.name)) > l.max {
			return l.name + " is too long."
		}
	}
	tags := strings.Fields(f.Get("ui_locales"))
	if len(tags) > maxUILocales {
		return "ui_locales has too many tags."
	}
	for _, t := range tags {
		if len(t) > maxUILocaleLen {
			return "ui_locales has a tag that is too long."
		}
	}
	if cc := f.Get("code_challenge"); cc != "" && !isCodeChallenge(cc) {
		return "code_challenge must be 43 base64url characters."
	}
	return ""
}

// isCodeChallenge reports whether s is 43 characters of the base64url
// alphabet, the form of an S256 challenge.
func isCodeChallenge(s string) bool {
	if len(s) != codeChallengeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// authorizeError sends the browser back to the portal's validated
// redirect URI with the error and state (RFC 6749 section 4.1.2.1).
func (p *Provider) authorizeError(w http.ResponseWriter, r *http.Request, redirectURI, state string, e *oidc.Error) {
	ctx := r.Context()
	requestLogger(ctx, p.log).InfoContext(ctx, "oidc: authorize refused",
		slog.String("error", string(e.ErrorType)), slog.String("description", e.Description))
	e.State = state
	u, err := op.AuthResponseURL(redirectURI, oidc.ResponseTypeCode, oidc.ResponseModeQuery, e, p.op.Encoder())
	if err != nil {
		writeErrorPage(w, r, http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, u, http.StatusFound)
}
