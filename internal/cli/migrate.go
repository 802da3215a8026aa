package cli

import (
	"context"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

const migrateAbout = `Applies the database migrations this version has and the database lacks.
It is safe to run again: an up-to-date database is left as it is.`

func runMigrate(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "migrate", "migrate [--data-dir DIR | --database URL]", migrateAbout)
	if err := bindStorage(fs, &cfg).load(args, e.getenv); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, migrateSchema, newLogger(e.stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stdout, "%s: schema up to date\n", describeStore(cfg))
	return nil
}
