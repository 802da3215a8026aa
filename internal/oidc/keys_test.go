package oidc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// idTokenHeader returns the alg and kid of a compact JWS.
func idTokenHeader(t *testing.T, raw string) (alg, kid string) {
	t.Helper()
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	return h.Algorithm, h.KeyID
}

// jwks fetches /keys.
func (h *harness) jwks() *jose.JSONWebKeySet {
	h.t.Helper()
	resp, err := http.Get(h.cfg.URL("/keys"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		h.t.Fatal(err)
	}
	return &set
}

func kids(set *jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	slices.Sort(out)
	return out
}

func TestSSO1_SigningAlgorithms(t *testing.T) {
	for _, alg := range []string{AlgRS256, AlgES256} {
		t.Run(alg, func(t *testing.T) {
			h := newHarness(t, withAlg(alg))
			s := h.publicRP().signIn() // go-oidc verifies the signature against /keys
			gotAlg, kid := idTokenHeader(t, s.rawID)
			if gotAlg != alg {
				t.Errorf("ID token alg = %s, want %s", gotAlg, alg)
			}
			set := h.jwks()
			if keys := set.Key(kid); len(keys) != 1 || keys[0].Algorithm != alg || keys[0].Use != "sig" || !keys[0].IsPublic() {
				t.Errorf("JWKS entry for kid %s = %+v", kid, keys)
			}
			for _, k := range set.Keys {
				if !k.IsPublic() {
					t.Errorf("JWKS publishes a private or symmetric key %s", k.KeyID)
				}
			}
		})
	}
}

func TestSSO1_PerClientSigningAlgorithm(t *testing.T) {
	h := newHarness(t, withAlg(AlgRS256))
	h.must(h.store.CreateClient(h.ctx, &domain.Client{
		ID: "es-portal", Name: "ES256 portal", SecretDigest: HashSecret(h.secret), RedirectURIs: []string{portalRedirect},
		PortalType: domain.PortalProvider, SigningAlg: AlgES256, CreatedAt: h.clock.Now(),
	}))
	es := h.rp("es-portal", h.secret, portalRedirect, oauth2.AuthStyleInHeader).signIn()
	if alg, _ := idTokenHeader(t, es.rawID); alg != AlgES256 {
		t.Errorf("es-portal ID token alg = %s, want ES256", alg)
	}
	rs := h.portalRP().signIn()
	if alg, _ := idTokenHeader(t, rs.rawID); alg != AlgRS256 {
		t.Errorf("portal ID token alg = %s, want the server's RS256", alg)
	}
}

func TestOPS5_KeysSurviveRestartAndAreSharedByNodes(t *testing.T) {
	h := newHarness(t)
	s := h.portalRP().signIn()
	before := kids(h.jwks())

	// A second node (or the next start) on the same store.
	p2 := h.newProvider()
	rec := httptest.NewRecorder()
	p2.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/keys", nil))
	var set jose.JSONWebKeySet
	_ = json.Unmarshal(rec.Body.Bytes(), &set)
	if after := kids(&set); !slices.Equal(before, after) {
		t.Errorf("keys after restart %v, before %v", after, before)
	}
	keys, err := h.store.ListSigningKeys(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Errorf("store holds %d keys, want RS256, ES256 and one sealing key", len(keys))
	}
	// The access token sealed by the first node opens on the second.
	req := httptest.NewRequest(http.MethodGet, "/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+s.token.AccessToken)
	rec = httptest.NewRecorder()
	p2.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), h.account.ID) {
		t.Errorf("userinfo on the second node: %d %s", rec.Code, rec.Body)
	}
}

func TestOPS5_RetiredKeysPublishedFor24Hours(t *testing.T) {
	h := newHarness(t)
	old := h.portalRP().signIn()
	_, oldKid := idTokenHeader(t, old.rawID)

	newKid, err := h.p.RotateSigningKey(h.ctx, AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	s := h.portalRP().signIn()
	if _, kid := idTokenHeader(t, s.rawID); kid != newKid {
		t.Errorf("signed with %s after rotation, want the new key %s", kid, newKid)
	}
	published := func() bool { return len(h.jwks().Key(oldKid)) == 1 }

	h.clock.Advance(24*time.Hour - time.Second)
	h.must(h.p.ReloadKeys(h.ctx))
	if !published() {
		t.Error("retired key left the JWKS before 24 hours")
	}
	h.clock.Advance(time.Second)
	h.must(h.p.ReloadKeys(h.ctx))
	if published() {
		t.Error("retired key still in the JWKS after 24 hours")
	}
	if len(h.jwks().Key(newKid)) != 1 {
		t.Error("new key missing from the JWKS")
	}
}

func TestOPS5_KeysRereadAfterAMinute(t *testing.T) {
	h := newHarness(t)
	// Another node rotates; this one notices within keyRefresh.
	other := h.newProvider()
	newKid, err := other.RotateSigningKey(h.ctx, AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.jwks().Key(newKid)) != 0 {
		t.Fatal("key visible before the refresh interval; the test proves nothing")
	}
	h.clock.Advance(keyRefresh)
	if len(h.jwks().Key(newKid)) != 1 {
		t.Error("key made by another node not published after the refresh interval")
	}
}
