package oidc

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// codeFor runs the browser part of a code flow with PKCE for r and
// returns the code and its verifier.
func codeFor(r *rp) (code, verifier string) {
	verifier = oauth2.GenerateVerifier()
	u := r.h.authorize(r.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	code = u.Query().Get("code")
	if code == "" {
		r.h.t.Fatalf("no code in %s", u)
	}
	return code, verifier
}

// M3: a code is good for 60 seconds from its issue: at 59 s it is
// exchanged, at 60 s it is refused.
func TestM3_CodeLivesSixtySeconds(t *testing.T) {
	for _, tc := range []struct {
		age time.Duration
		ok  bool
	}{{59 * time.Second, true}, {60 * time.Second, false}} {
		t.Run(tc.age.String(), func(t *testing.T) {
			h := newHarness(t)
			r := h.publicRP()
			code, verifier := codeFor(r)
			h.clock.Advance(tc.age)
			_, err := r.oauth.Exchange(h.ctx, code, oauth2.VerifierOption(verifier))
			if tc.ok && err != nil {
				t.Fatalf("exchange at %v: %v", tc.age, err)
			}
			if !tc.ok && !isOAuthError(err, "invalid_grant") {
				t.Fatalf("exchange at %v: %v, want invalid_grant", tc.age, err)
			}
		})
	}
}

// M3: a code is worth nothing once the session it was issued in has
// signed out, with or without offline_access.
func TestM3_CodeRefusedAfterLogout(t *testing.T) {
	for _, scopes := range [][]string{{"openid", "profile"}, {"openid", "offline_access"}} {
		t.Run(strings.Join(scopes, " "), func(t *testing.T) {
			h := newHarness(t)
			r := h.portalRP()
			r.oauth.Scopes = scopes
			code, verifier := codeFor(r)
			h.must(h.store.EndSession(h.ctx, h.sessionID, h.clock.Now()))
			if _, err := r.oauth.Exchange(h.ctx, code, oauth2.VerifierOption(verifier)); !isOAuthError(err, "invalid_grant") {
				t.Fatalf("exchange after logout: %v, want invalid_grant", err)
			}
		})
	}
}

func isOAuthError(err error, code string) bool {
	re, ok := err.(*oauth2.RetrieveError)
	return ok && re.ErrorCode == code
}

// L5: a refresh naming an unknown client is invalid_client (401), not a
// server_error, and says nothing of our internals.
func TestL5_RefreshWithUnknownClientIsInvalidClient(t *testing.T) {
	h := newHarness(t)
	s := h.publicRP().signIn()
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"in the form", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.token.RefreshToken}, "client_id": {"nobody"}}},
		{"unknown token too", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {"nobody"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out map[string]any
			status := h.postForm("/oauth/token", tc.form, "", "", &out)
			if status != http.StatusUnauthorized || out["error"] != "invalid_client" {
				t.Fatalf("status %d %v, want 401 invalid_client", status, out)
			}
			if d, _ := out["error_description"].(string); strings.Contains(d, "unknown") || out["parent"] != nil {
				t.Errorf("error shows internal detail: %v", out)
			}
		})
	}
}

// L6: /userinfo takes the access token from the Authorization header or
// a POST form body, never from the URL query.
func TestL6_UserinfoRefusesTokenInQuery(t *testing.T) {
	h := newHarness(t)
	s := h.portalRP().signIn()
	tok := s.token.AccessToken

	resp, err := http.Get(h.cfg.URL("/userinfo?access_token=" + url.QueryEscape(tok)))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || out["error"] != "invalid_request" || out["sub"] != nil ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_request"`) {
		t.Errorf("query token: status %d %v %q, want 400 invalid_request", resp.StatusCode, out, resp.Header.Get("WWW-Authenticate"))
	}

	req, _ := http.NewRequest(http.MethodGet, h.cfg.URL("/userinfo"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if status := doStatus(t, req); status != http.StatusOK {
		t.Errorf("header token: status %d, want 200", status)
	}
	req, _ = http.NewRequest(http.MethodPost, h.cfg.URL("/userinfo"), strings.NewReader(url.Values{"access_token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status := doStatus(t, req); status != http.StatusOK {
		t.Errorf("form body token: status %d, want 200", status)
	}
}

func doStatus(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// lockedBuffer is a log destination safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The library's own log lines go to the logger given to New, as JSON,
// with the request id the server put on the response.
func TestLibraryLogLinesUseTheProviderLogger(t *testing.T) {
	var buf lockedBuffer
	h := newHarness(t, func(s *harnessSettings) {
		s.log = slog.New(slog.NewJSONHandler(&buf, nil))
		s.wrap = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "req-0123456789abcdef")
				next.ServeHTTP(w, r)
			})
		}
	})
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"not-a-code"}, "redirect_uri": {portalRedirect}}
	if status := h.postForm("/oauth/token", form, "portal", h.secret, nil); status != http.StatusBadRequest {
		t.Fatalf("token: status %d, want 400", status)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "request error" && rec["request_id"] == "req-0123456789abcdef" {
			found = true
		}
	}
	if !found {
		t.Errorf("no library line with the request id in:\n%s", buf.String())
	}
}
