package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// migrationFiles holds migrations/<dialect>/NNNN_name.sql. Files are only
// ever added: an applied migration never changes.
//
//go:embed migrations
var migrationFiles embed.FS

// migrateLockKey is the PostgreSQL advisory lock that serializes Migrate
// across nodes ("EKID" in ASCII).
const migrateLockKey = 0x454b4944

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order.
func (d dialect) migrations() ([]migration, error) {
	dir := path.Join("migrations", d.name)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("sqlstore: bad migration file name %q", name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := range ms {
		if ms[i].version != i+1 {
			return nil, fmt.Errorf("sqlstore: migrations must be numbered 1, 2, 3...; found %s", ms[i].name)
		}
	}
	return ms, nil
}

// SchemaVersion returns the newest migration this binary knows.
func (db *DB) SchemaVersion() (int, error) {
	ms, err := db.d.migrations()
	if err != nil {
		return 0, err
	}
	return len(ms), nil
}

// Migrate applies, in one transaction, every embedded migration the
// database lacks. On PostgreSQL it holds an advisory lock meanwhile, so
// several nodes may migrate at once; SQLite's immediate transaction does
// the same. A database newer than this binary is refused with ESCHEMA.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := db.d.migrations()
	if err != nil {
		return err
	}
	if db.tx != nil {
		return domain.Errorf(domain.EINTERNAL, "migrate cannot run inside a transaction")
	}
	return db.InTx(ctx, func(s domain.Store) error {
		tx := s.(*DB)
		if tx.d.postgres {
			if _, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrateLockKey)); err != nil {
				return wrap(err, "migrate lock", "migration lock")
			}
		}
		timeType := "TEXT"
		if tx.d.postgres {
			timeType = "TIMESTAMPTZ"
		}
		if err := tx.execScript(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at `+timeType+` NOT NULL)`); err != nil {
			return wrap(err, "create schema_migrations", "schema_migrations")
		}
		current, err := tx.appliedVersion(ctx)
		if err != nil {
			return err
		}
		if current > len(ms) {
			return aheadError(current, len(ms))
		}
		for _, m := range ms[current:] {
			if err := tx.execScript(ctx, m.sql); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
			}
			if _, err := tx.exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
				m.version, tx.d.time(time.Now())); err != nil {
				return wrap(err, "record migration", "migration")
			}
		}
		return nil
	})
}

// CheckSchema returns nil when the database is at exactly this binary's
// schema version, and an ESCHEMA *domain.Error saying what to do otherwise:
// run `entrykeyid migrate` when the database is behind, use a newer binary
// when it is ahead.
func (db *DB) CheckSchema(ctx context.Context) error {
	ms, err := db.d.migrations()
	if err != nil {
		return err
	}
	current, err := db.appliedVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < len(ms):
		return &domain.Error{Code: domain.ESCHEMA, Message: fmt.Sprintf(
			"the database schema is at version %d but this entrykeyid needs version %d: run `entrykeyid migrate`",
			current, len(ms))}
	case current > len(ms):
		return aheadError(current, len(ms))
	}
	return nil
}

func aheadError(current, known int) error {
	return &domain.Error{Code: domain.ESCHEMA, Message: fmt.Sprintf(
		"the database schema is at version %d but this entrykeyid binary is older and knows only version %d: "+
			"run a newer entrykeyid (`entrykeyid migrate` cannot go back)", current, known)}
}

// appliedVersion returns the newest applied migration, 0 for a database
// with no schema_migrations table.
func (db *DB) appliedVersion(ctx context.Context) (int, error) {
	var q string
	if db.d.postgres {
		q = "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL"
	} else {
		q = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	}
	ok, err := db.exists(ctx, q)
	if err != nil {
		return 0, wrap(err, "check schema", "schema")
	}
	if !ok {
		return 0, nil
	}
	var v int
	if err := db.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, wrap(err, "read schema version", "schema version")
	}
	return v, nil
}
