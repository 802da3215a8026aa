package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// receiver is a portal's back-channel logout endpoint in httptest: it
// answers with status() and keeps every logout_token posted.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	tokens []string
	status func() int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{status: func() int { return http.StatusOK }}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		code := rc.status()
		if code == http.StatusOK {
			rc.mu.Lock()
			rc.tokens = append(rc.tokens, r.PostFormValue("logout_token"))
			rc.mu.Unlock()
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) got() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.tokens...)
}

// backchannelRP registers a confidential client whose back-channel
// logout URI is uri, and returns a relying party for it.
func (h *harness) backchannelRP(id, uri, alg string) *rp {
	h.t.Helper()
	h.must(h.store.CreateClient(h.ctx, &domain.Client{
		ID: id, Name: id, SecretDigest: HashSecret(h.secret), RedirectURIs: []string{portalRedirect},
		PostLogoutRedirectURIs: []string{portalLogoutRedirect}, BackchannelLogoutURI: uri,
		PortalType: domain.PortalProvider, SigningAlg: alg, CreatedAt: h.clock.Now(),
	}))
	return h.rp(id, h.secret, portalRedirect, oauth2.AuthStyleInHeader)
}

func (h *harness) flushBackchannel() int {
	h.t.Helper()
	n, err := h.p.Backchannel().Flush(h.ctx)
	h.must(err)
	return n
}

type logoutClaims struct {
	Iss    string                     `json:"iss"`
	Sub    string                     `json:"sub"`
	Aud    any                        `json:"aud"`
	Iat    int64                      `json:"iat"`
	Exp    int64                      `json:"exp"`
	Jti    string                     `json:"jti"`
	Sid    string                     `json:"sid"`
	Nonce  *string                    `json:"nonce"`
	Events map[string]json.RawMessage `json:"events"`
}

// checkLogoutToken verifies raw against the provider's published keys
// and checks every claim the specification requires.
func (h *harness) checkLogoutToken(raw, clientID, alg string) logoutClaims {
	h.t.Helper()
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		h.t.Fatalf("logout token: %v", err)
	}
	if got := jws.Signatures[0].Header.Algorithm; got != alg {
		h.t.Errorf("alg %s, want %s", got, alg)
	}
	if typ := jws.Signatures[0].Header.ExtraHeaders["typ"]; typ != LogoutTokenType {
		h.t.Errorf("typ %v, want %s", typ, LogoutTokenType)
	}
	payload, err := gooidc.NewRemoteKeySet(h.ctx, h.cfg.URL("/keys")).VerifySignature(h.ctx, raw)
	if err != nil {
		h.t.Fatalf("signature against the JWKS: %v", err)
	}
	var c logoutClaims
	h.must(json.Unmarshal(payload, &c))
	now := h.clock.Now().Unix()
	if c.Iss != h.cfg.Issuer || c.Sub != h.account.ID || c.Sid != h.sessionID || c.Jti == "" ||
		c.Iat != now || c.Exp != now+120 || c.Nonce != nil {
		h.t.Errorf("claims %+v (issuer %s, sub %s, sid %s, now %d)", c, h.cfg.Issuer, h.account.ID, h.sessionID, now)
	}
	if aud, ok := c.Aud.(string); !(ok && aud == clientID) {
		if list, ok := c.Aud.([]any); !ok || len(list) != 1 || list[0] != clientID {
			h.t.Errorf("aud %v, want %s", c.Aud, clientID)
		}
	}
	if ev, ok := c.Events[BackchannelLogoutEvent]; !ok || string(ev) != "{}" || len(c.Events) != 1 {
		h.t.Errorf("events %v", c.Events)
	}
	return c
}

func TestSSO3_BackchannelLogoutTokenDelivered(t *testing.T) {
	for _, alg := range []string{AlgRS256, AlgES256} {
		t.Run(alg, func(t *testing.T) {
			h := newHarness(t)
			rc, rc2 := newReceiver(t), newReceiver(t)
			s := h.backchannelRP("provider-portal", rc.srv.URL+"/backchannel-logout", alg).signIn()
			h.backchannelRP("member-portal", rc2.srv.URL+"/backchannel-logout", "").signIn()
			h.portalRP().signIn() // no back-channel URI: not told
			h.publicRP()          // no tokens in the session: not told

			code, _ := h.endSession(url.Values{"id_token_hint": {s.rawID}})
			if code != http.StatusFound {
				t.Fatalf("end_session: %d", code)
			}
			if n := h.flushBackchannel(); n != 2 {
				t.Fatalf("delivered %d notices, want 2", n)
			}
			toks, toks2 := rc.got(), rc2.got()
			if len(toks) != 1 || len(toks2) != 1 {
				t.Fatalf("received %d and %d tokens, want one each", len(toks), len(toks2))
			}
			c := h.checkLogoutToken(toks[0], "provider-portal", alg)
			c2 := h.checkLogoutToken(toks2[0], "member-portal", h.cfg.SigningAlg)
			if c.Jti == c2.Jti {
				t.Error("two logout tokens share a jti")
			}
			if n := h.flushBackchannel(); n != 0 || len(rc.got()) != 1 {
				t.Fatalf("delivered again: %d", n)
			}
			ds, err := h.store.LogoutsForSession(h.ctx, h.sessionID)
			h.must(err)
			if len(ds) != 2 || !ds[0].Delivered || !ds[1].Delivered {
				t.Fatalf("notices %+v", ds)
			}
			// The same session ended again tells nobody twice.
			h.endSession(url.Values{"id_token_hint": {s.rawID}})
			h.flushBackchannel()
			if len(rc.got()) != 1 {
				t.Fatal("a second end_session posted again")
			}
		})
	}
}

func TestDiscoveryAdvertisesBackchannelLogout(t *testing.T) {
	h := newHarness(t)
	var d map[string]any
	resp, err := http.Get(h.cfg.URL(PathDiscovery))
	h.must(err)
	defer resp.Body.Close()
	h.must(json.NewDecoder(resp.Body).Decode(&d))
	if d["backchannel_logout_supported"] != true || d["backchannel_logout_session_supported"] != true {
		t.Fatalf("discovery: %v %v", d["backchannel_logout_supported"], d["backchannel_logout_session_supported"])
	}
}

func TestSSO3_BackchannelRetriedAfterPortalWasDown(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t)
	var down atomic.Bool
	down.Store(true)
	rc.status = func() int {
		if down.Load() {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	s := h.backchannelRP("provider-portal", rc.srv.URL, "").signIn()
	h.endSession(url.Values{"id_token_hint": {s.rawID}})
	if n := h.flushBackchannel(); n != 0 {
		t.Fatalf("delivered %d while the portal was down", n)
	}
	ds, _ := h.store.LogoutsForSession(h.ctx, h.sessionID)
	if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].DoneAt != nil || !strings.Contains(ds[0].LastError, "503") {
		t.Fatalf("after a failure: %+v", ds)
	}
	down.Store(false)
	h.clock.Advance(backchannelFirstRetry - time.Second)
	if n := h.flushBackchannel(); n != 0 {
		t.Fatal("retried before its backoff")
	}
	h.clock.Advance(time.Second)
	if n := h.flushBackchannel(); n != 1 {
		t.Fatalf("delivered %d after the portal came back, want 1", n)
	}
	h.checkLogoutToken(rc.got()[0], "provider-portal", h.cfg.SigningAlg)
}

func TestSSO3_BackchannelGivenUpAfterADay(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t)
	rc.status = func() int { return http.StatusInternalServerError }
	s := h.backchannelRP("provider-portal", rc.srv.URL, "").signIn()
	h.endSession(url.Values{"id_token_hint": {s.rawID}})
	for range 200 {
		h.flushBackchannel()
		h.clock.Advance(backchannelMaxRetry)
	}
	ds, _ := h.store.LogoutsForSession(h.ctx, h.sessionID)
	if len(ds) != 1 || ds[0].DoneAt == nil || ds[0].Delivered || !strings.HasPrefix(ds[0].LastError, "given up") {
		t.Fatalf("after a day of failures: %+v", ds)
	}
	if got := ds[0].DoneAt.Sub(ds[0].CreatedAt); got < backchannelGiveUp || got > backchannelGiveUp+backchannelMaxRetry {
		t.Fatalf("given up after %v", got)
	}
}

func TestSSO3_BackchannelFollowsNoRedirect(t *testing.T) {
	h := newHarness(t)
	var followed atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	t.Cleanup(elsewhere.Close)
	redirect := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	s := h.backchannelRP("provider-portal", redirect.URL, "").signIn()
	h.endSession(url.Values{"id_token_hint": {s.rawID}})
	if n := h.flushBackchannel(); n != 0 || followed.Load() != 0 {
		t.Fatalf("delivered %d, redirect followed %d times", n, followed.Load())
	}
}

// Two workers (two nodes) flushing at once post each notice once.
func TestSSO3_BackchannelNotDeliveredTwiceWithTwoWorkers(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t)
	h.backchannelRP("provider-portal", rc.srv.URL, "")
	now := h.clock.Now()
	const n = 30
	for i := range n {
		h.must(h.store.EnqueueLogout(h.ctx, &domain.LogoutDelivery{ClientID: "provider-portal",
			SessionID: fmt.Sprintf("sess-%02d", i), AccountID: h.account.ID, CreatedAt: now}))
	}
	other := h.newProvider()
	var wg sync.WaitGroup
	var total atomic.Int64
	for _, w := range []*BackchannelWorker{h.p.Backchannel(), other.Backchannel()} {
		wg.Go(func() {
			got, err := w.Flush(context.Background())
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(got))
		})
	}
	wg.Wait()
	toks := rc.got()
	if total.Load() != n || len(toks) != n {
		t.Fatalf("delivered %d, received %d, want %d", total.Load(), len(toks), n)
	}
	seen := map[string]bool{}
	for _, tok := range toks {
		payload, err := gooidc.NewRemoteKeySet(h.ctx, h.cfg.URL("/keys")).VerifySignature(h.ctx, tok)
		h.must(err)
		var c logoutClaims
		h.must(json.Unmarshal(payload, &c))
		if seen[c.Sid] {
			t.Fatalf("session %s told twice", c.Sid)
		}
		seen[c.Sid] = true
	}
}
