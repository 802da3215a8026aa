package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// goRP is a relying party built from libraries we did not write:
// coreos/go-oidc for discovery and ID token verification, x/oauth2 for
// the code and refresh grants.
type goRP struct {
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	oauth    oauth2.Config
}

func newGoRP(t *testing.T, idp *IdP, clientID, secret, redirect string) *goRP {
	t.Helper()
	provider, err := gooidc.NewProvider(context.Background(), idp.Issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &goRP{
		provider: provider,
		verifier: provider.Verifier(&gooidc.Config{ClientID: clientID}),
		oauth: oauth2.Config{
			ClientID:     clientID,
			ClientSecret: secret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  redirect,
			Scopes:       []string{gooidc.ScopeOpenID, "profile", "email", gooidc.ScopeOfflineAccess},
		},
	}
}

// authRequest is one authorization request with its PKCE verifier, state
// and nonce.
type authRequest struct {
	URL, State, Nonce, Verifier string
}

func (rp *goRP) newAuthRequest() authRequest {
	r := authRequest{State: randomHex(16), Nonce: randomHex(16), Verifier: oauth2.GenerateVerifier()}
	r.URL = rp.oauth.AuthCodeURL(r.State, gooidc.Nonce(r.Nonce), oauth2.S256ChallengeOption(r.Verifier))
	return r
}

// code reads the authorization code from the redirect the browser
// stopped at, checking that it goes to the client's redirect URI with the
// request's state.
func (rp *goRP) code(t *testing.T, b *HTTPBrowser, r authRequest) string {
	t.Helper()
	if !strings.HasPrefix(b.Location, rp.oauth.RedirectURL+"?") {
		t.Fatalf("want a redirect to %s, got status %d location %q at %s (screen %q)",
			rp.oauth.RedirectURL, b.Status, b.Location, b.URL, b.Screen())
	}
	u, err := url.Parse(b.Location)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("error") != "" {
		t.Fatalf("authorization error %q: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != r.State {
		t.Fatalf("state: got %q want %q", q.Get("state"), r.State)
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in %s", b.Location)
	}
	return q.Get("code")
}

// exchange redeems the code and verifies the ID token: signature against
// the provider's JWKS, issuer, audience, expiry, and the nonce.
func (rp *goRP) exchange(t *testing.T, code string, r authRequest) (*oauth2.Token, *gooidc.IDToken) {
	t.Helper()
	ctx := context.Background()
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(r.Verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("token response has no id_token")
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != r.Nonce {
		t.Fatalf("nonce: got %q want %q", idt.Nonce, r.Nonce)
	}
	return tok, idt
}

var activateTokenRE = regexp.MustCompile(`[?&]token=([^&"'\s]+)`)

// signUpAndActivate creates an account through the hosted screens, starting
// from screen 1 of an authorization request, and activates it with the link
// from the delivered email.
func signUpAndActivate(t *testing.T, idp *IdP, b *HTTPBrowser, authURL, email, pw string) {
	t.Helper()
	b.Get(authURL).ExpectScreen("identify")
	m := regexp.MustCompile(`<a\b[^>]*\bid="create-account"[^>]*\bhref="([^"]+)"|<a\b[^>]*\bhref="([^"]+)"[^>]*\bid="create-account"`).FindStringSubmatch(b.Body)
	if m == nil {
		t.Fatalf("screen 1 has no create-account link:\n%s", b.Body)
	}
	href, err := b.URL.Parse(unescapeHTML(m[1] + m[2]))
	if err != nil {
		t.Fatal(err)
	}
	b.Get(href.String()).ExpectScreen("signup")
	b.Submit(map[string]string{
		"email": email, "first_name": "Ada", "last_name": "Lovelace", "language": "en",
		"password": pw, "confirm_password": pw,
	}).ExpectScreen("check-email")

	mail := idp.WaitForMail(t, email, "Activate your account")
	link := mail.Link(idp.Issuer, "/activate")
	if link == "" || !activateTokenRE.MatchString(link) {
		t.Fatalf("no activation link in the email; links: %q", mail.Links())
	}
	// Activation asks for the password chosen at sign-up (H1).
	b.Get(link).ExpectScreen("activate")
	b.Submit(map[string]string{"password": pw}).ExpectScreen("activated")
}

// signIn runs identity-first sign-in from screen 1 of the authorization
// request: username, then password.
func signIn(t *testing.T, b *HTTPBrowser, authURL, email, pw string) {
	t.Helper()
	b.Get(authURL).ExpectScreen("identify")
	b.Submit(map[string]string{"username": email}).ExpectScreen("password")
	b.Submit(map[string]string{"password": pw})
}

// TestSSO1_GoOIDCClientThroughHostedScreens completes the whole flow with
// coreos/go-oidc and x/oauth2 through the real hosted screens: sign-up,
// activation from the email, identity-first sign-in, code exchange with
// PKCE, ID token verification, userinfo, refresh rotation and replay,
// silent sign-in of a second portal, and RP-initiated logout; with ID
// tokens signed RS256 (the default) and ES256 (the server-wide setting).
func TestSSO1_GoOIDCClientThroughHostedScreens(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) { testGoOIDCFlow(t, alg) })
	}
}

func testGoOIDCFlow(t *testing.T, alg string) {
	idp := StartIdP(t, func(c *config.Config) { c.SigningAlg = alg })
	const (
		redirect1 = "http://127.0.0.1:9/member/callback"
		redirect2 = "http://127.0.0.1:9/provider/callback"
		loggedOut = "http://127.0.0.1:9/member/signed-out"
		email     = "Ada.Lovelace@Example.test"
		pw        = "Analytical-Engine-1843"
	)
	secret1 := idp.RegisterClient(t, ClientSpec{ID: "go-member", Name: "Go member portal", PortalType: "member",
		RedirectURIs: []string{redirect1}, PostLogoutRedirectURIs: []string{loggedOut}})
	secret2 := idp.RegisterClient(t, ClientSpec{ID: "go-provider", Name: "Go provider portal", PortalType: "provider",
		RedirectURIs: []string{redirect2}})
	member := newGoRP(t, idp, "go-member", secret1, redirect1)
	provider := newGoRP(t, idp, "go-provider", secret2, redirect2)
	ctx := context.Background()

	b := NewHTTPBrowser(t, redirect1, redirect2, loggedOut)
	first := member.newAuthRequest()
	signUpAndActivate(t, idp, b, first.URL, email, pw)

	// Identity-first sign-in back into the member portal's request.
	req := member.newAuthRequest()
	signIn(t, b, req.URL, email, pw)
	tok, idt := member.exchange(t, member.code(t, b, req), req)

	var claims struct {
		Email  string `json:"email"`
		Name   string `json:"name"`
		Locale string `json:"locale"`
		SID    string `json:"sid"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(claims.Email, email) || claims.Name != "Ada Lovelace" || claims.SID == "" {
		t.Errorf("ID token claims: %+v", claims)
	}
	if got := jwtAlg(t, tok); got != alg {
		t.Errorf("ID token signed with %q, want %q", got, alg)
	}

	t.Run("userinfo", func(t *testing.T) {
		ui, err := member.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		if ui.Subject != idt.Subject || !strings.EqualFold(ui.Email, email) {
			t.Errorf("userinfo sub=%q email=%q; ID token sub=%q", ui.Subject, ui.Email, idt.Subject)
		}
	})

	t.Run("refresh rotates and a replay is refused", func(t *testing.T) {
		if tok.RefreshToken == "" {
			t.Fatal("no refresh token for offline_access")
		}
		fresh, err := member.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
			t.Fatalf("refresh token not rotated")
		}
		if raw, _ := fresh.Extra("id_token").(string); raw != "" {
			again, err := member.verifier.Verify(ctx, raw)
			if err != nil {
				t.Fatalf("verify refreshed ID token: %v", err)
			}
			if again.Subject != idt.Subject {
				t.Errorf("refreshed ID token sub %q, want %q", again.Subject, idt.Subject)
			}
		}
		ui, err := member.provider.UserInfo(ctx, oauth2.StaticTokenSource(fresh))
		if err != nil || ui.Subject != idt.Subject {
			t.Fatalf("userinfo with the refreshed access token: %v", err)
		}

		_, err = member.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("replayed refresh token: want invalid_grant, got %v", err)
		}
		// A replay revokes the whole family: the newer token is dead too.
		_, err = member.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token()
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("refresh token of a replayed family: want invalid_grant, got %v", err)
		}
	})

	t.Run("second portal signs in with no prompt", func(t *testing.T) {
		r := provider.newAuthRequest()
		b.Get(r.URL)
		_, idt2 := provider.exchange(t, provider.code(t, b, r), r)
		if idt2.Subject != idt.Subject {
			t.Errorf("provider portal sub %q, member portal sub %q", idt2.Subject, idt.Subject)
		}
	})

	t.Run("RP-initiated logout ends the session", func(t *testing.T) {
		raw, _ := tok.Extra("id_token").(string)
		var meta struct {
			EndSession string `json:"end_session_endpoint"`
		}
		if err := member.provider.Claims(&meta); err != nil || meta.EndSession == "" {
			t.Fatalf("discovery has no end_session_endpoint: %v", err)
		}
		q := url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {loggedOut}, "state": {"bye"}}
		b.Get(meta.EndSession + "?" + q.Encode())
		if b.Screen() == "logout" { // the provider asks for a confirmation
			b.Submit(map[string]string{})
		}
		if !strings.HasPrefix(b.Location, loggedOut) {
			t.Fatalf("logout: want a redirect to %s, got status %d location %q screen %q", loggedOut, b.Status, b.Location, b.Screen())
		}
		// Both portals now get screen 1.
		b.Get(member.newAuthRequest().URL).ExpectScreen("identify")
		b.Get(provider.newAuthRequest().URL).ExpectScreen("identify")
	})
}

// jwtAlg returns the "alg" of the token response's ID token header.
func jwtAlg(t *testing.T, tok *oauth2.Token) string {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	header, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		t.Fatalf("ID token header: %v", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("ID token header: %v", err)
	}
	return h.Alg
}

func unescapeHTML(s string) string { return strings.ReplaceAll(s, "&amp;", "&") }
