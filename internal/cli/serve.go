package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"

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
(entrykeyid migrate, with the same --data-dir or --database).`

func runServe(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "serve", "serve [flags]", serveAbout)
	if err := bindServe(fs, &cfg).load(args, e.getenv); err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel)
	db, err := openStore(ctx, cfg, checkSchema, log)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	idp, err := startProvider(ctx, cfg, db, l, log)
	if err != nil {
		l.Close()
		return err
	}
	defer idp.Close()
	return server.Serve(ctx, l, idp.Handler(), log)
}

func listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
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
