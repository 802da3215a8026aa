package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/portal"
	"github.com/entrykeyid/entrykeyid/internal/server"
)

// Demo is what `entrykeyid demo` runs, in the test process: the identity
// provider and the Member and Provider portals, each on its own loopback
// origin and registered as a confidential client.
type Demo struct {
	IdP      *IdP
	Member   *RunningPortal
	Provider *RunningPortal
}

// RunningPortal is one demo portal serving on a loopback port.
type RunningPortal struct {
	URL      string // http://127.0.0.1:PORT, no trailing slash
	ClientID string
	Portal   *portal.Portal
}

// StartDemo starts the identity provider and both portals, and stops them
// when the test ends.
func StartDemo(t testing.TB, tweak ...func(*config.Config)) *Demo {
	t.Helper()
	idp := StartIdP(t, tweak...)
	ml, pl := listen(t), listen(t)
	memberURL, providerURL := "http://"+ml.Addr().String(), "http://"+pl.Addr().String()
	return &Demo{
		IdP: idp,
		Member: startPortal(t, idp, ml, portal.Config{
			Kind: domain.PortalMember, Title: "Member portal", BaseURL: memberURL,
			ClientID: "member-portal",
			Others:   []portal.Link{{Title: "Provider portal", URL: providerURL}},
		}),
		Provider: startPortal(t, idp, pl, portal.Config{
			Kind: domain.PortalProvider, Title: "Provider portal", BaseURL: providerURL,
			ClientID: "provider-portal",
			Others:   []portal.Link{{Title: "Member portal", URL: memberURL}},
		}),
	}
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// startPortal registers the portal as a client of idp and serves it on l.
func startPortal(t testing.TB, idp *IdP, l net.Listener, cfg portal.Config) *RunningPortal {
	t.Helper()
	cfg.ClientSecret = idp.RegisterClient(t, ClientSpec{
		ID: cfg.ClientID, Name: cfg.Title, PortalType: cfg.Kind,
		RedirectURIs:           []string{portal.RedirectURI(cfg.BaseURL)},
		PostLogoutRedirectURIs: []string{portal.PostLogoutRedirectURI(cfg.BaseURL)},
		BackchannelLogoutURI:   portal.BackchannelLogoutURI(cfg.BaseURL),
	})
	cfg.Issuer = idp.Issuer
	cfg.Log = NewTestLogger(t, cfg.Kind+"-portal")
	ctx, cancel := context.WithCancel(context.Background())
	p, err := portal.New(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("start %s: %v", cfg.Title, err)
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, l, p.Handler(), cfg.Log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s serve: %v", cfg.Title, err)
		}
	})
	return &RunningPortal{URL: cfg.BaseURL, ClientID: cfg.ClientID, Portal: p}
}
