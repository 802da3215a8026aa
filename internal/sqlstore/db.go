// Package sqlstore implements domain.Store over database/sql, for SQLite
// (modernc.org/sqlite, pure Go) and PostgreSQL (pgx). Both run the same
// queries, written with "?" placeholders and rebound per dialect, against
// schemas kept as embedded, numbered, append-only migrations.
//
// Counters and single-use marks (failed logins, links, authorization
// codes, refresh tokens, outbox claims) change in one UPDATE ... RETURNING
// statement each, so they stay exact under concurrency on both databases.
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// DB is a domain.Store on one database. The DB given to an InTx function
// runs every call in that transaction.
type DB struct {
	sql *sql.DB
	q   querier // sql.DB, or the sql.Tx of an InTx
	d   dialect
	tx  bool
}

var _ domain.Store = (*DB)(nil)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// memCounter names each private in-memory SQLite database.
var memCounter atomic.Int64

// OpenSQLite opens (creating it and its folder if needed) the SQLite
// database at path and applies pending migrations. ":memory:" gives a new
// private in-memory database on every call.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	db, err := openSQLite(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openSQLite opens without migrating. The file runs in WAL mode with a
// busy timeout; writing transactions begin IMMEDIATE so that two writers
// wait for each other instead of failing on a lock upgrade.
func openSQLite(ctx context.Context, path string) (*DB, error) {
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Set("_txlock", "immediate")
	var dsn string
	memory := path == ":memory:"
	if memory {
		// One connection holds the database: a shared-cache database
		// across connections would fail with "table is locked" instead
		// of waiting.
		var b [8]byte
		rand.Read(b[:])
		name := fmt.Sprintf("entrykeyid-%d-%s", memCounter.Add(1), hex.EncodeToString(b[:]))
		params.Set("mode", "memory")
		params.Set("cache", "shared")
		dsn = "file:" + name + "?" + params.Encode()
	} else {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("sqlstore: create database folder: %w", err)
			}
		}
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "synchronous(NORMAL)")
		dsn = "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params.Encode()
	}
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	if memory {
		sdb.SetMaxOpenConns(1)
		sdb.SetMaxIdleConns(1)
		sdb.SetConnMaxLifetime(0)
		sdb.SetConnMaxIdleTime(0)
	} else {
		sdb.SetMaxOpenConns(16)
		sdb.SetMaxIdleConns(16)
	}
	db := &DB{sql: sdb, q: sdb, d: sqliteDialect}
	if err := db.Ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// OpenPostgres connects to the PostgreSQL database at url (a postgres://
// URL or key=value string). It does not migrate: call Migrate, or
// CheckSchema before serving.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	sdb, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	sdb.SetMaxOpenConns(32)
	sdb.SetMaxIdleConns(32)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{sql: sdb, q: sdb, d: postgresDialect}
	if err := db.Ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// Open opens the database cfg names: PostgreSQL when cfg.Database is set,
// else SQLite at DataDir/entrykeyid.db. It does not migrate.
func Open(ctx context.Context, cfg config.Config) (*DB, error) {
	if cfg.Database != "" {
		return OpenPostgres(ctx, cfg.Database)
	}
	if cfg.DataDir == "" {
		return nil, domain.Errorf(domain.EINVALID, "no database: set a data directory or a PostgreSQL URL")
	}
	return openSQLite(ctx, filepath.Join(cfg.DataDir, "entrykeyid.db"))
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// InTx runs fn in one transaction, committed when fn returns nil and
// rolled back when it returns an error or panics. On the DB given to fn,
// InTx runs fn in the same transaction. Inside fn, use only the tx store:
// on SQLite a call on the outer store waits for the transaction to end.
func (db *DB) InTx(ctx context.Context, fn func(tx domain.Store) error) (err error) {
	if db.tx {
		return fn(db)
	}
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, "begin", "transaction")
	}
	done := false
	defer func() {
		if !done {
			stx.Rollback()
		}
	}()
	if err := fn(&DB{sql: db.sql, q: stx, d: db.d, tx: true}); err != nil {
		return err
	}
	done = true
	if err := stx.Commit(); err != nil {
		return wrap(err, "commit", "transaction")
	}
	return nil
}

// Ping reports EUNAVAILABLE when the database does not answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: "the database is unavailable", Err: err}
	}
	return nil
}

// Close closes the database. On the DB of an InTx it does nothing.
func (db *DB) Close() error {
	if db.tx {
		return nil
	}
	return db.sql.Close()
}

func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.q.ExecContext(ctx, db.d.rebind(q), args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.q.QueryContext(ctx, db.d.rebind(q), args...)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.q.QueryRowContext(ctx, db.d.rebind(q), args...)
}

// exists reports whether the query finds a row; used to tell "missing"
// from "already used" after an atomic update changed nothing.
func (db *DB) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := db.queryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
