package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// portal is a seeded confidential client the virtual users sign in to.
type portal struct {
	ID          string
	Secret      string
	RedirectURI string
}

// account is a seeded active account with a known password.
type account struct {
	Email    string
	Password string
}

// tokens is a token response of /oauth/token.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	TokenType    string `json:"token_type"`
}

// scope is what every authorization request asks for: an ID token with
// identity claims and a refresh token.
const scope = "openid profile email offline_access"

// maxBody caps how much of any response the generator reads.
const maxBody = 1 << 20

// agent issues the requests of one virtual user. Its HTTP client never
// follows redirects: each hop is read and requested explicitly, as the
// flows below describe.
type agent struct {
	base   *url.URL
	client *http.Client
}

// newJar returns an empty cookie jar, as a fresh browser has.
func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return jar
}

// withJar returns a client sharing a's transport with its own cookies.
func (a *agent) withJar(jar http.CookieJar) *http.Client {
	c := *a.client
	c.Jar = jar
	return &c
}

// do sends req and returns the status, headers and at most maxBody bytes
// of the body; the rest is drained so the connection is reused.
func do(c *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp, body, err
}

// statusError describes an unexpected response without echoing secrets:
// protocol error bodies hold only error codes and descriptions.
func statusError(what string, resp *http.Response, body []byte) error {
	b := strings.TrimSpace(string(body))
	if len(b) > 200 || !strings.HasPrefix(b, "{") {
		b = ""
	}
	return fmt.Errorf("%s: status %d %s", what, resp.StatusCode, b)
}

// random returns n random bytes, base64url without padding.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// signIn runs the authorization code flow with PKCE S256 for p in the
// browser c: GET /authorize, then every redirect and, when who is
// non-nil, the identity-first screens (screen 1: username, screen 2:
// password), until the redirect back to p carries a code, which it
// exchanges at /oauth/token. With who nil (silent SSO) any sign-in
// screen is an error.
func (a *agent) signIn(ctx context.Context, c *http.Client, p portal, who *account) (tokens, error) {
	verifier := random(32)
	sum := sha256.Sum256([]byte(verifier))
	state, nonce := random(12), random(12)
	q := url.Values{
		"client_id":             {p.ID},
		"redirect_uri":          {p.RedirectURI},
		"response_type":         {"code"},
		"scope":                 {scope},
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base.JoinPath("/authorize").String()+"?"+q.Encode(), nil)
	if err != nil {
		return tokens{}, err
	}
	submitted := 0
	for hop := 0; hop < 16; hop++ {
		resp, body, err := do(c, req)
		if err != nil {
			return tokens{}, err
		}
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			next, err := req.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return tokens{}, fmt.Errorf("redirect from %s: %w", req.URL.Path, err)
			}
			if sameEndpoint(next, p.RedirectURI) {
				code, err := codeFrom(next, state)
				if err != nil {
					return tokens{}, err
				}
				return a.exchange(ctx, p, code, verifier)
			}
			if next.Host != a.base.Host {
				return tokens{}, fmt.Errorf("redirect from %s to another origin", req.URL.Path)
			}
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
			if err != nil {
				return tokens{}, err
			}
		case resp.StatusCode == http.StatusOK:
			page := string(body)
			if who == nil {
				return tokens{}, fmt.Errorf("silent SSO: %s shows screen %q", req.URL.Path, screenName(page))
			}
			if submitted++; submitted > 2 {
				return tokens{}, fmt.Errorf("sign-in: still on screen %q after two submits", screenName(page))
			}
			req, err = a.fill(ctx, req.URL, page, who)
			if err != nil {
				return tokens{}, err
			}
		default:
			return tokens{}, statusError(req.Method+" "+req.URL.Path, resp, body)
		}
	}
	return tokens{}, errors.New("sign-in: too many redirects")
}

// fill builds the POST a person makes on a sign-in screen: the password
// screen gets the password (and the username if it is not carried), the
// identify screen the username. Hidden fields, the CSRF token among them,
// are sent back as the page gave them.
func (a *agent) fill(ctx context.Context, page *url.URL, html string, who *account) (*http.Request, error) {
	forms := parseForms(html)
	f, ok := findForm(forms, "password")
	if ok {
		f.Fields.Set("password", who.Password)
		if f.Fields.Get("username") == "" && contains(f.Names, "username") {
			f.Fields.Set("username", who.Email)
		}
	} else if f, ok = findForm(forms, "username"); ok {
		f.Fields.Set("username", who.Email)
	} else {
		return nil, fmt.Errorf("sign-in: no sign-in form on %s (screen %q)", page.Path, screenName(html))
	}
	if f.Button != nil {
		f.Fields.Set(f.Button[0], f.Button[1])
	}
	action, err := page.Parse(f.Action)
	if err != nil {
		return nil, fmt.Errorf("sign-in: form action: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(f.Fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// A browser names the page's origin on a form POST; the screens may
	// refuse forms posted from elsewhere.
	req.Header.Set("Origin", a.base.Scheme+"://"+a.base.Host)
	req.Header.Set("Referer", page.String())
	return req, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// sameEndpoint reports whether u is the redirect URI, ignoring its query.
func sameEndpoint(u *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	return err == nil && u.Scheme == r.Scheme && u.Host == r.Host && u.Path == r.Path
}

// codeFrom returns the authorization code of the redirect back to the
// client after checking its state.
func codeFrom(u *url.URL, state string) (string, error) {
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("authorize: %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return "", errors.New("authorize: state does not match")
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("authorize: no code")
	}
	return code, nil
}

// exchange trades an authorization code at /oauth/token
// (client_secret_basic) and checks that an ID token came back.
func (a *agent) exchange(ctx context.Context, p portal, code, verifier string) (tokens, error) {
	t, err := a.token(ctx, p, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.RedirectURI},
		"code_verifier": {verifier},
	})
	if err == nil && t.IDToken == "" {
		err = errors.New("token: no id_token")
	}
	return t, err
}

// refresh presents a refresh token and returns the rotated tokens.
func (a *agent) refresh(ctx context.Context, p portal, rt string) (tokens, error) {
	t, err := a.token(ctx, p, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	if err == nil && t.RefreshToken == "" {
		err = errors.New("refresh: no refresh_token")
	}
	return t, err
}

func (a *agent) token(ctx context.Context, p portal, form url.Values) (tokens, error) {
	resp, body, err := a.postClient(ctx, "/oauth/token", p, form)
	if err != nil {
		return tokens{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return tokens{}, statusError("token "+form.Get("grant_type"), resp, body)
	}
	var t tokens
	if err := json.Unmarshal(body, &t); err != nil {
		return tokens{}, fmt.Errorf("token: %w", err)
	}
	if t.AccessToken == "" {
		return tokens{}, errors.New("token: no access_token")
	}
	return t, nil
}

// postClient POSTs form to path authenticated as p (client_secret_basic,
// with the RFC 6749 form-encoding of id and secret).
func (a *agent) postClient(ctx context.Context, path string, p portal, form url.Values) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base.JoinPath(path).String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.ID), url.QueryEscape(p.Secret))
	return do(a.client, req)
}

// userinfo calls /userinfo with a bearer access token.
func (a *agent) userinfo(ctx context.Context, accessToken string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base.JoinPath("/userinfo").String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, body, err := do(a.client, req)
	if err != nil {
		return err
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &claims) != nil || claims.Sub == "" {
		return statusError("userinfo", resp, body)
	}
	return nil
}

// introspect asks /oauth/introspect, as p, about an access token that
// must be active.
func (a *agent) introspect(ctx context.Context, p portal, accessToken string) error {
	resp, body, err := a.postClient(ctx, "/oauth/introspect", p, url.Values{"token": {accessToken}, "token_type_hint": {"access_token"}})
	if err != nil {
		return err
	}
	var r struct {
		Active bool `json:"active"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &r) != nil || !r.Active {
		return statusError("introspect", resp, body)
	}
	return nil
}

// getJSON GETs a public JSON document and checks it parses.
func (a *agent) getJSON(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base.JoinPath(path).String(), nil)
	if err != nil {
		return err
	}
	resp, body, err := do(a.client, req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !json.Valid(body) {
		return statusError("GET "+path, resp, body)
	}
	return nil
}
