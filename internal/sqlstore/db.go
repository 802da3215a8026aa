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
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// DB is a domain.Store on one database. The DB given to an InTx function
// runs every call in that transaction.
//
// A SQLite file has two pools of connections: one writer connection that
// runs every write and every transaction, and several read-only
// connections for plain reads. Writers therefore queue in Go for the one
// connection instead of sleeping in SQLite's busy handler, and reads never
// wait for a write (WAL). A read that follows a committed write sees it.
// PostgreSQL and in-memory SQLite use one pool for both.
type DB struct {
	w  *pool   // writes, RETURNING updates and transactions
	r  *pool   // plain reads outside a transaction; w itself when there is one pool
	tx *sql.Tx // the transaction of an InTx, nil outside
	d  dialect

	// unprepared collects, inside InTx, the queries that ran without a
	// prepared statement, to prepare on the writer pool after the end.
	unprepared *[]string
}

var _ domain.Store = (*DB)(nil)

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

// readConns is how many read-only connections a SQLite file gets: enough
// to keep every core busy with reads while the writer works.
func readConns() int {
	return max(4, 2*runtime.GOMAXPROCS(0))
}

// openSQLite opens without migrating. A file runs in WAL mode with
// synchronous=NORMAL (a commit survives a crash of the process, not
// always a power loss: docs/DESIGN.md, "Storage"). Its writer pool holds
// one connection whose transactions begin IMMEDIATE; its read pool's
// connections are query_only. Both keep a busy timeout for other
// processes on the same file (`entrykeyid client add` while serve runs).
func openSQLite(ctx context.Context, path string) (*DB, error) {
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "foreign_keys(1)")
	if path == ":memory:" {
		// One connection holds the database: a shared-cache database
		// across connections would fail with "table is locked" instead
		// of waiting.
		var b [8]byte
		rand.Read(b[:])
		name := fmt.Sprintf("entrykeyid-%d-%s", memCounter.Add(1), hex.EncodeToString(b[:]))
		params.Set("_txlock", "immediate")
		params.Set("mode", "memory")
		params.Set("cache", "shared")
		p, err := openSQLitePool(ctx, "file:"+name+"?"+params.Encode(), 1)
		if err != nil {
			return nil, err
		}
		return &DB{w: p, r: p, d: sqliteDialect}, nil
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlstore: create database folder: %w", err)
		}
	}
	file := "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
	wp := cloneValues(params)
	wp.Add("_pragma", "journal_mode(WAL)")
	wp.Add("_pragma", "synchronous(NORMAL)")
	cp := cloneValues(wp) // the checkpointer's connection
	wp.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutocheckpoint))
	wp.Set("_txlock", "immediate")
	// The writer opens first: it creates the file and turns WAL on before
	// any reader connects.
	w, err := openSQLitePool(ctx, file+wp.Encode(), 1)
	if err != nil {
		return nil, err
	}
	if w.ckpt, err = startCheckpointer(ctx, file+cp.Encode()); err != nil {
		w.close()
		return nil, err
	}
	rp := cloneValues(params)
	rp.Add("_pragma", "query_only(1)")
	r, err := openSQLitePool(ctx, file+rp.Encode(), readConns())
	if err != nil {
		w.close()
		return nil, err
	}
	return &DB{w: w, r: r, d: sqliteDialect}, nil
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// openSQLitePool opens a pool of n connections that stay open, each
// keeping the statements prepared on it, and checks that it answers.
func openSQLitePool(ctx context.Context, dsn string, n int) (*pool, error) {
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	sdb.SetMaxOpenConns(n)
	sdb.SetMaxIdleConns(n)
	sdb.SetConnMaxLifetime(0)
	sdb.SetConnMaxIdleTime(0)
	p := newPool(sdb, true)
	if n == 1 {
		p.turn = make(chan struct{}, 1)
	}
	if err := p.ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return p, nil
}

// OpenPostgres connects to the PostgreSQL database at url (a postgres://
// URL or key=value string). It does not migrate: call Migrate, or
// CheckSchema before serving. pgx prepares and caches each statement per
// connection by itself.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	sdb, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	sdb.SetMaxOpenConns(32)
	sdb.SetMaxIdleConns(32)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	p := newPool(sdb, false)
	if err := p.ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return &DB{w: p, r: p, d: postgresDialect}, nil
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
// on SQLite a write on the outer store waits for the transaction to end
// (it needs the one writer connection), so it would wait forever.
func (db *DB) InTx(ctx context.Context, fn func(tx domain.Store) error) (err error) {
	if db.tx != nil {
		return fn(db)
	}
	if err := db.w.acquire(ctx); err != nil {
		return wrap(err, "begin", "transaction")
	}
	defer db.w.release()
	stx, err := db.w.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, "begin", "transaction")
	}
	var unprepared []string
	done := false
	defer func() {
		if !done {
			stx.Rollback()
		}
		// The writer connection is free again: prepare what the
		// transaction ran unprepared, for the next one. A failure here
		// only means it stays unprepared.
		for _, q := range unprepared {
			db.w.stmt(context.WithoutCancel(ctx), q)
		}
	}()
	if err := fn(&DB{w: db.w, r: db.w, tx: stx, d: db.d, unprepared: &unprepared}); err != nil {
		return err
	}
	done = true
	if err := stx.Commit(); err != nil {
		return wrap(err, "commit", "transaction")
	}
	db.w.wrote()
	return nil
}

// Ping reports EUNAVAILABLE when the database does not answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.ping(ctx); err != nil {
		return err
	}
	if db.r != db.w {
		return db.r.ping(ctx)
	}
	return nil
}

// Close closes the database. On the DB of an InTx it does nothing.
func (db *DB) Close() error {
	if db.tx != nil {
		return nil
	}
	err := db.w.close()
	if db.r != db.w {
		if e := db.r.close(); err == nil {
			err = e
		}
	}
	return err
}
