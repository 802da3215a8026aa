package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/portal"
	"github.com/entrykeyid/entrykeyid/internal/server"
)

const demoAbout = `Runs, in one process, the identity provider in development mode (--dev: email is
written to <data-dir>/mail and shown at /dev/mail) and two demo portals, the Member
portal and the Provider portal, each an OpenID Connect client on its own origin.
The portals are registered as clients at start, with fresh secrets kept in memory.
The database is migrated at start, and holds a demo member (an invented person)
whose address and password are printed just before the URLs. /metrics is served
on the identity provider's address unless --metrics-addr names another. Logs go
to stderr at warn level unless --log-level says otherwise; the last lines on
stdout are the URLs to open. Ctrl-C stops everything.

Like serve, demo locks its data folder while it runs: a second demo (or serve)
on the same --data-dir refuses to start. To run another demo beside it, give it
its own --data-dir and other ports:

  entrykeyid demo --data-dir ./demo2 --addr 127.0.0.1:9080 \
      --member-addr 127.0.0.1:9081 --provider-addr 127.0.0.1:9082`

// demoPortal is one portal the demo runs.
type demoPortal struct {
	kind, title, clientID string
	l                     net.Listener
	url                   string
	secret                string
}

func runDemo(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	cfg.Dev, cfg.LogLevel = true, "warn"
	cfg.MetricsAddr = "" // one port fewer to collide with another demo
	fs := newFlagSet(e, "demo", "demo [flags]", demoAbout)
	flags := bindServe(fs, &cfg)
	memberAddr := fs.String("member-addr", "127.0.0.1:8081", "address of the Member portal")
	providerAddr := fs.String("provider-addr", "127.0.0.1:8082", "address of the Provider portal")
	if err := flags.load(args, e.getenv); err != nil {
		return err
	}
	cfg.Dev = true
	log := newLogger(e.stderr, cfg.LogLevel)

	// Every port is taken before anything starts, so a busy port fails
	// the demo at once. With port 0 the system picks one.
	l, err := listen(cfg.Addr, "--addr")
	if err != nil {
		return err
	}
	defer l.Close()
	settleIssuer(&cfg, flags.isSet("issuer"), l, log)
	portals := []*demoPortal{
		{kind: domain.PortalMember, title: "Member portal", clientID: "member-portal"},
		{kind: domain.PortalProvider, title: "Provider portal", clientID: "provider-portal"},
	}
	for i, addr := range []string{*memberAddr, *providerAddr} {
		if portals[i].l, err = listen(addr, "--"+portals[i].kind+"-addr"); err != nil {
			return err
		}
		defer portals[i].l.Close()
		portals[i].url = localURL(addr, portals[i].l)
	}

	// The data folder is locked before anything is written: a second demo
	// on it would re-register the portals under its own ports and break
	// this one.
	db, err := openServerStore(ctx, cfg, migrateSchema, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedDemoMember(ctx, db, cfg); err != nil {
		return fmt.Errorf("demo member: %w", err)
	}
	for _, p := range portals {
		p.secret = oidc.NewClientSecret()
		if err := registerPortal(ctx, db, p); err != nil {
			return fmt.Errorf("register %s: %w", p.title, err)
		}
	}
	idp, err := startProvider(ctx, cfg, db.DB, l, log)
	if err != nil {
		return err
	}
	defer idp.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := newGroup(cancel)
	g.run(func() error { return server.Serve(ctx, l, idp.Handler(), log) })
	for i, p := range portals {
		other := portals[1-i]
		rp, err := portal.New(ctx, portal.Config{
			Kind: p.kind, Title: p.title, BaseURL: p.url, Issuer: cfg.Issuer,
			ClientID: p.clientID, ClientSecret: p.secret,
			Others: []portal.Link{{Title: other.title, URL: other.url}},
			Log:    log,
		})
		if err != nil {
			cancel()
			g.wait()
			return err
		}
		g.run(func() error { return server.Serve(ctx, p.l, rp.Handler(), log) })
	}

	fmt.Fprintf(e.stdout, "EntryKeyID demo is running (data in %s). Ctrl-C stops it.\n", cfg.DataDir)
	fmt.Fprintf(e.stdout, "Demo sign-in: %s / %s (or create an account)\n", demoEmail, demoPassword)
	fmt.Fprintln(e.stdout, "Open:")
	fmt.Fprintf(e.stdout, "  Identity provider:  %s\n", cfg.Issuer)
	fmt.Fprintf(e.stdout, "  Member portal:      %s\n", portals[0].url)
	fmt.Fprintf(e.stdout, "  Provider portal:    %s\n", portals[1].url)
	fmt.Fprintf(e.stdout, "  Development inbox:  %s\n", cfg.URL("/dev/mail"))
	return g.wait()
}

// registerPortal registers the portal as a confidential client with its
// fresh secret, replacing an earlier registration of the same id.
func registerPortal(ctx context.Context, store domain.Store, p *demoPortal) error {
	c := &domain.Client{
		ID:                     p.clientID,
		Name:                   p.title,
		SecretDigest:           oidc.HashSecret(p.secret),
		RedirectURIs:           []string{portal.RedirectURI(p.url)},
		PostLogoutRedirectURIs: []string{portal.PostLogoutRedirectURI(p.url)},
		BackchannelLogoutURI:   portal.BackchannelLogoutURI(p.url),
		PortalType:             p.kind,
		CreatedAt:              time.Now().UTC(),
	}
	return store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.DeleteClient(ctx, c.ID); err != nil && !domain.IsNotFound(err) {
			return err
		}
		return createClient(ctx, tx, c, "demo")
	})
}

// group runs functions until all return; the first error cancels the
// others (through cancel) and is the one wait returns.
type group struct {
	cancel context.CancelFunc
	errc   chan error
	n      int
}

func newGroup(cancel context.CancelFunc) *group {
	return &group{cancel: cancel, errc: make(chan error, 8)}
}

func (g *group) run(fn func() error) {
	g.n++
	go func() { g.errc <- fn() }()
}

func (g *group) wait() error {
	var first error
	for ; g.n > 0; g.n-- {
		if err := <-g.errc; err != nil && err != http.ErrServerClosed && first == nil {
			first = err
			g.cancel()
		}
	}
	return first
}
