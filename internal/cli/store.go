package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// SQLiteFile is the name of the SQLite database inside the data folder.
const SQLiteFile = "entrykeyid.db"

// schemaPolicy says what opening the database does about its schema.
type schemaPolicy int

const (
	// checkSchema refuses a schema other than the one this binary knows,
	// naming `entrykeyid migrate` as the fix, with one exception: a
	// SQLite database that does not exist yet is created and migrated, so
	// that `serve` works on a fresh machine with no setup.
	checkSchema schemaPolicy = iota
	// migrateSchema applies pending migrations (migrate, demo).
	migrateSchema
)

// openStore opens the database cfg names and deals with its schema as
// policy says. It takes no lock: client and migrate work while a server
// runs.
func openStore(ctx context.Context, cfg config.Config, policy schemaPolicy, log *slog.Logger) (*sqlstore.DB, error) {
	return openDatabase(ctx, cfg, policy, nil, log)
}

// serverStore is the database of a running server and, on SQLite, the
// lock of its data folder.
type serverStore struct {
	*sqlstore.DB
	lock *dataLock
}

// Close closes the database, then lets the folder go.
func (s *serverStore) Close() error {
	err := s.DB.Close()
	s.lock.Release()
	return err
}

// openServerStore opens the database for a server (serve, demo). On
// SQLite it first takes the data folder's lock (LockFile), so that a
// second server on the same folder refuses to start; PostgreSQL is shared
// by several nodes by design and takes none.
func openServerStore(ctx context.Context, cfg config.Config, policy schemaPolicy, log *slog.Logger) (*serverStore, error) {
	s := &serverStore{}
	db, err := openDatabase(ctx, cfg, policy, &s.lock, log)
	if err != nil {
		return nil, err
	}
	s.DB = db
	return s, nil
}

// openDatabase is openStore, and with lock set, also takes the data
// folder's lock into *lock (SQLite only), released on any error.
func openDatabase(ctx context.Context, cfg config.Config, policy schemaPolicy, lock **dataLock, log *slog.Logger) (db *sqlstore.DB, err error) {
	fresh := false
	if cfg.Database == "" {
		var held *dataLock
		if fresh, held, err = prepareDataDir(cfg.DataDir, lock != nil, log); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				held.Release()
				return
			}
			if lock != nil {
				*lock = held
			}
		}()
	}
	db, err = sqlstore.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", describeStore(cfg), err)
	}
	if cfg.Database == "" {
		if err := restrictSQLiteFiles(filepath.Join(cfg.DataDir, SQLiteFile)); err != nil {
			db.Close()
			return nil, err
		}
	}
	if policy == migrateSchema || fresh {
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrate %s: %w", describeStore(cfg), err)
		}
		if fresh {
			log.Info("created a new SQLite database", slog.String("path", filepath.Join(cfg.DataDir, SQLiteFile)))
		}
		return db, nil
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		if domain.ErrorCode(err) == domain.ESCHEMA {
			// A schema newer than this binary cannot be migrated back; only
			// an older one is fixed by migrate.
			if strings.Contains(err.Error(), "cannot go back") {
				return nil, fmt.Errorf("%s: %w", describeStore(cfg), err)
			}
			return nil, fmt.Errorf("%s: %w\nTo fix it, run: entrykeyid migrate %s", describeStore(cfg), err, storageArgs(cfg))
		}
		return nil, fmt.Errorf("check schema of %s: %w", describeStore(cfg), err)
	}
	return db, nil
}

// describeStore names the database for messages, without its password.
func describeStore(cfg config.Config) string {
	if cfg.Database != "" {
		return "PostgreSQL database " + redactURL(cfg.Database)
	}
	return "SQLite database " + filepath.Join(cfg.DataDir, SQLiteFile)
}

// storageArgs are the flags that name the same database again.
func storageArgs(cfg config.Config) string {
	if cfg.Database != "" {
		return "--database " + strconv.Quote(redactURL(cfg.Database))
	}
	return "--data-dir " + strconv.Quote(cfg.DataDir)
}

// redactURL hides the password of a database URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// newLogger returns a JSON logger at the level named.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
