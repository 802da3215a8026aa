package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"syscall"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/server"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

const serveAbout = `Runs the identity provider until interrupted, then shuts down gracefully.

With no --database it uses SQLite in --data-dir: a database that does not exist
yet is created and migrated at start, so serve needs no setup. An existing
database (SQLite or PostgreSQL) must already have this version's schema; if it
does not, serve refuses to start and names the command that fixes it
(entrykeyid migrate, with the same --data-dir or --database).

The SQLite database file is kept at mode 0600 and a data folder serve creates
at 0700; serve warns when an existing data folder is open to other users.
While it runs, serve (like demo) holds a lock on <data-dir>/entrykeyid.lock, so
a second server on the same data folder refuses to start; client and migrate
still work beside it. PostgreSQL takes no lock: several nodes share it.

Without --issuer, the issuer is http://127.0.0.1:PORT (or http://HOST:PORT for a
--addr naming another host) with --addr's port. Set --issuer to the public URL
when people reach the server through a proxy or a domain name.

Prometheus /metrics is served on --metrics-addr (default 127.0.0.1:9464), apart
from the public listener; with --metrics-addr "" it is served on --addr.

Requests are rate limited per client address (and per client_id at the token
endpoints), on this node: see docs/SECURITY.md. Behind a reverse proxy, name it
in --trusted-proxies so that its X-Forwarded-For is believed; otherwise every
client would share the proxy's limits. --dev is refused unless --addr is a
loopback address.`

func runServe(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "serve", "serve [flags]", serveAbout)
	flags := bindServe(fs, &cfg)
	if err := flags.load(args, e.getenv); err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel)
	db, err := openServerStore(ctx, cfg, checkSchema, log)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := listen(cfg.Addr, "--addr")
	if err != nil {
		return err
	}
	defer l.Close()
	settleIssuer(&cfg, flags.isSet("issuer"), l, log)
	var ml net.Listener
	if cfg.MetricsAddr != "" {
		if ml, err = listen(cfg.MetricsAddr, "--metrics-addr"); err != nil {
			return err
		}
		defer ml.Close()
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
	if ml != nil {
		log.Info("metrics listening", slog.String("addr", ml.Addr().String()))
		g.run(func() error { return server.Serve(ctx, ml, idp.MetricsHandler(), log) })
	}
	return g.wait()
}

// listen listens on addr, which flag set. An address already in use is
// said plainly, with the flag that changes it.
func listen(addr, flag string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("port in use: %s is already taken (by another entrykeyid, or another program); "+
			"stop it or choose another address with %s", addr, flag)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s (%s): %w", addr, flag, err)
	}
	return l, nil
}

// startProvider builds the identity provider over db, to be served on l.
func startProvider(ctx context.Context, cfg config.Config, db *sqlstore.DB, l net.Listener, log *slog.Logger) (*server.Server, error) {
	idp, err := server.New(ctx, cfg, db, domain.SystemClock{}, log)
	if err != nil {
		return nil, err
	}
	log.Info("EntryKeyID listening", slog.String("addr", l.Addr().String()), slog.String("issuer", cfg.Issuer),
		slog.String("database", describeStore(cfg)), slog.Bool("dev", cfg.Dev))
	return idp, nil
}
