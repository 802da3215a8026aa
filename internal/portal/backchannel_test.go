package portal

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// fakeOP publishes discovery and a JWKS of one ES256 key, and signs
// whatever claims a test asks for.
type fakeOP struct {
	srv *httptest.Server
	key *ecdsa.PrivateKey
}

func newFakeOP(t *testing.T) *fakeOP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	op := &fakeOP{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := op.srv.URL
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/oauth/token",
			"userinfo_endpoint": base + "/userinfo", "jwks_uri": base + "/keys", "end_session_endpoint": base + "/end_session",
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"},
		}})
	})
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *fakeOP) sign(t *testing.T, key *ecdsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("logout+jwt").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSSO3_PortalBackchannelLogoutValidatesTheToken(t *testing.T) {
	op := newFakeOP(t)
	p, err := New(context.Background(), Config{Kind: "provider", Title: "Provider portal",
		BaseURL: "http://127.0.0.1:1", Issuer: op.srv.URL, ClientID: "provider-portal", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	h := p.Handler()
	seed := func() {
		p.mu.Lock()
		p.sessions = map[string]*session{
			"a": {subject: "sub-1", sid: "sid-1", signedIn: time.Now()},
			"b": {subject: "sub-1", sid: "sid-1", signedIn: time.Now()},
			"c": {subject: "sub-1", sid: "sid-2", signedIn: time.Now()},
			"d": {subject: "sub-2", sid: "sid-3", signedIn: time.Now()},
		}
		p.mu.Unlock()
	}
	now := time.Now().Unix()
	good := func() map[string]any {
		return map[string]any{"iss": op.srv.URL, "aud": "provider-portal", "iat": now, "exp": now + 120,
			"jti": "j1", "sid": "sid-1", "sub": "sub-1",
			"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}
	}
	post := func(tok string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/backchannel-logout", nil)
		req.PostForm = url.Values{"logout_token": {tok}}
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	bad := map[string]func(map[string]any) (string, *ecdsa.PrivateKey){
		"foreign key":  func(c map[string]any) (string, *ecdsa.PrivateKey) { return "", other },
		"wrong issuer": func(c map[string]any) (string, *ecdsa.PrivateKey) { c["iss"] = "https://evil.example"; return "", nil },
		"wrong audience": func(c map[string]any) (string, *ecdsa.PrivateKey) {
			c["aud"] = []string{"member-portal"}
			return "", nil
		},
		"expired":         func(c map[string]any) (string, *ecdsa.PrivateKey) { c["exp"] = now - 3600; return "", nil },
		"no exp":          func(c map[string]any) (string, *ecdsa.PrivateKey) { delete(c, "exp"); return "", nil },
		"issued later":    func(c map[string]any) (string, *ecdsa.PrivateKey) { c["iat"] = now + 3600; return "", nil },
		"issued long ago": func(c map[string]any) (string, *ecdsa.PrivateKey) { c["iat"] = now - 3600; return "", nil },
		"nonce":           func(c map[string]any) (string, *ecdsa.PrivateKey) { c["nonce"] = "n"; return "", nil },
		"no event":        func(c map[string]any) (string, *ecdsa.PrivateKey) { delete(c, "events"); return "", nil },
		"event not an object": func(c map[string]any) (string, *ecdsa.PrivateKey) {
			c["events"] = map[string]any{"http://schemas.openid.net/event/backchannel-logout": "x"}
			return "", nil
		},
		"no sid nor sub": func(c map[string]any) (string, *ecdsa.PrivateKey) { delete(c, "sid"); delete(c, "sub"); return "", nil },
		"not a JWT":      func(c map[string]any) (string, *ecdsa.PrivateKey) { return "garbage", nil },
	}
	for name, edit := range bad {
		seed()
		c := good()
		raw, key := edit(c)
		if key == nil {
			key = op.key
		}
		if raw == "" {
			raw = op.sign(t, key, c)
		}
		if code := post(raw); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, code)
		}
		if p.Sessions() != 4 {
			t.Errorf("%s: a session was dropped", name)
		}
	}

	seed()
	if code := post(op.sign(t, op.key, good())); code != http.StatusOK {
		t.Fatalf("valid token: status %d", code)
	}
	p.mu.Lock()
	_, a := p.sessions["a"]
	_, b := p.sessions["b"]
	_, c := p.sessions["c"]
	_, d := p.sessions["d"]
	p.mu.Unlock()
	if a || b || !c || !d {
		t.Fatalf("after logout of sid-1: a %v b %v c %v d %v, want only c and d left", a, b, c, d)
	}

	// Without sid, every session of the subject goes.
	seed()
	noSID := good()
	delete(noSID, "sid")
	if code := post(op.sign(t, op.key, noSID)); code != http.StatusOK || p.Sessions() != 1 {
		t.Fatalf("logout of sub-1 without sid: status %d, %d sessions left, want 1", code, p.Sessions())
	}
}
