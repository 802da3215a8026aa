package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/portal"
	"github.com/entrykeyid/entrykeyid/internal/server"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// idp is a whole identity provider on in-memory SQLite, served by
// httptest on 127.0.0.1.
type idp struct {
	cfg   config.Config
	store *sqlstore.DB
	srv   *server.Server
	ts    *httptest.Server
	log   *syncBuffer
}

// testConfig is the default configuration with cheap password hashing.
func testConfig(t *testing.T) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Dev = true
	cfg.MetricsAddr = "" // /metrics on the main listener
	cfg.Argon2 = config.Argon2{MemoryKiB: 8 * 1024, Iterations: 1, Parallelism: 1}
	return cfg
}

// startIdP runs the identity provider; edit may change its configuration
// (the issuer is set to the test server's URL before edit runs).
func startIdP(t *testing.T, edit func(*config.Config)) *idp {
	t.Helper()
	return startIdPClock(t, domain.SystemClock{}, edit)
}

// startIdPClock is startIdP on the given clock.
func startIdPClock(t *testing.T, clock domain.Clock, edit func(*config.Config)) *idp {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	cfg := testConfig(t)
	cfg.Issuer = "http://" + ts.Listener.Addr().String()
	if edit != nil {
		edit(&cfg)
	}
	logBuf := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := server.New(ctx, cfg, store, clock, log)
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
		store.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logBuf.String())
		}
	})
	return &idp{cfg: cfg, store: store, srv: srv, ts: ts, log: logBuf}
}

// url returns the identity provider's URL of path.
func (p *idp) url(path string) string { return p.cfg.URL(path) }

// startPortals runs a Member and a Provider portal, each registered as a
// confidential client with its back-channel logout URI, linking to each
// other.
func startPortals(t *testing.T, p *idp) (member, provider *httptest.Server) {
	t.Helper()
	ps := startPortalPair(t, p)
	return ps[0].srv, ps[1].srv
}

// testPortal is a running demo portal and its server.
type testPortal struct {
	srv *httptest.Server
	pt  *portal.Portal
}

// startPortalPair is startPortals, returning the portals too.
func startPortalPair(t *testing.T, p *idp) [2]testPortal {
	t.Helper()
	var out [2]testPortal
	kinds := []struct{ kind, title string }{
		{domain.PortalMember, "Member portal"},
		{domain.PortalProvider, "Provider portal"},
	}
	servers := make([]*httptest.Server, 2)
	for i := range servers {
		servers[i] = httptest.NewUnstartedServer(nil)
	}
	base := func(i int) string { return "http://" + servers[i].Listener.Addr().String() }
	for i, k := range kinds {
		secret := oidc.NewClientSecret()
		err := p.store.CreateClient(context.Background(), &domain.Client{
			ID: k.kind + "-portal", Name: k.title, SecretDigest: oidc.HashSecret(secret),
			RedirectURIs:           []string{portal.RedirectURI(base(i))},
			PostLogoutRedirectURIs: []string{portal.PostLogoutRedirectURI(base(i))},
			BackchannelLogoutURI:   portal.BackchannelLogoutURI(base(i)),
			PortalType:             k.kind, CreatedAt: time.Now().UTC(),
		})
		if err != nil {
			t.Fatal(err)
		}
		other := kinds[1-i]
		pt, err := portal.New(context.Background(), portal.Config{
			Kind: k.kind, Title: k.title, BaseURL: base(i), Issuer: p.cfg.Issuer,
			ClientID: k.kind + "-portal", ClientSecret: secret,
			Others: []portal.Link{{Title: other.title, URL: base(1 - i)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		servers[i].Config.Handler = pt.Handler()
		servers[i].Start()
		t.Cleanup(servers[i].Close)
		out[i] = testPortal{srv: servers[i], pt: pt}
	}
	return out
}

// get requests path from the identity provider with a plain client.
func (p *idp) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(p.url(path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}
