package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// pool is one *sql.DB with, for SQLite, a cache of prepared statements:
// each query text is prepared once per connection and kept (database/sql
// remembers, per *sql.Stmt, the connections it is prepared on), so a hot
// query is parsed and planned once rather than on every call.
type pool struct {
	db    *sql.DB
	cache bool
	ckpt  *checkpointer // the writer pool of a SQLite file; nil otherwise

	// turn, for a pool of one connection, hands it out in arrival order:
	// database/sql gives a freed connection to a random waiter, which
	// makes the unluckiest writer wait many times the average.
	turn chan struct{}

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newPool(db *sql.DB, cache bool) *pool {
	return &pool{db: db, cache: cache, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the pool's prepared statement for q, preparing it on
// first use. The queries come from this package's code, so the cache
// holds a bounded set. Preparing takes a connection of the pool: inside
// a transaction on it, use cached instead.
func (p *pool) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := p.cached(q); st != nil {
		return st, nil
	}
	// Prepare without the lock: it waits for a connection, which a
	// transaction looking up cached statements may hold.
	st, err := p.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev := p.stmts[q]; prev != nil {
		st.Close()
		return prev, nil
	}
	p.stmts[q] = st
	return st, nil
}

// cached returns the prepared statement for q, nil when there is none yet.
func (p *pool) cached(q string) *sql.Stmt {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.stmts[q]
}

func (p *pool) ping(ctx context.Context) error {
	if err := p.db.PingContext(ctx); err != nil {
		return &domain.Error{Code: domain.EUNAVAILABLE, Message: "the database is unavailable", Err: err}
	}
	return nil
}

// acquire waits for the pool's turn, in arrival order, unless ctx ends
// first. Pools without a turn return at once.
func (p *pool) acquire(ctx context.Context) error {
	if p.turn == nil {
		return nil
	}
	select {
	case p.turn <- struct{}{}:
		return nil
	default:
	}
	select {
	case p.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release ends a turn that acquire gave.
func (p *pool) release() {
	if p.turn != nil {
		<-p.turn
	}
}

// wrote records that a write outside a transaction, or a transaction,
// committed.
func (p *pool) wrote() {
	if p.ckpt != nil {
		p.ckpt.wrote()
	}
}

func (p *pool) close() error {
	if p.ckpt != nil {
		p.ckpt.close()
	}
	p.mu.Lock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
	p.mu.Unlock()
	return p.db.Close()
}

// prepared returns q prepared on the pool, and bound to db's transaction
// inside InTx; nil when the pool does not cache statements. Inside InTx a
// query the pool has not prepared yet returns nil, runs unprepared, and is
// prepared on the pool once the transaction ends: the transaction holds
// the writer pool's only connection, which preparing would wait for.
func (db *DB) prepared(ctx context.Context, p *pool, q string) (*sql.Stmt, error) {
	if !p.cache {
		return nil, nil
	}
	if db.tx == nil {
		return p.stmt(ctx, q)
	}
	st := p.cached(q)
	if st == nil {
		*db.unprepared = append(*db.unprepared, q)
		return nil, nil
	}
	return db.tx.StmtContext(ctx, st), nil
}

// exec runs a statement that writes and returns no rows: in the
// transaction, else on the writer pool.
func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = db.stmtContext(ctx, true)
	if db.tx == nil {
		if err := db.w.acquire(ctx); err != nil {
			return nil, err
		}
		defer db.w.release()
	}
	q = db.d.rebind(q)
	st, err := db.prepared(ctx, db.w, q)
	switch {
	case err != nil:
		return nil, err
	case db.tx != nil && st != nil:
		return st.ExecContext(ctx, args...)
	case db.tx != nil:
		return db.tx.ExecContext(ctx, q, args...)
	}
	defer db.w.wrote()
	if st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.w.db.ExecContext(ctx, q, args...)
}

// execScript runs q, which may hold several statements, without caching
// it: for migrations.
func (db *DB) execScript(ctx context.Context, q string) error {
	var err error
	if db.tx != nil {
		_, err = db.tx.ExecContext(ctx, q)
	} else {
		_, err = db.w.db.ExecContext(ctx, q)
	}
	return err
}

// query runs a plain read: in the transaction, else on the read pool.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.rows(db.stmtContext(ctx, false), db.r, q, args)
}

// queryWrite runs a statement that writes and returns rows (RETURNING):
// in the transaction, else on the writer pool.
func (db *DB) queryWrite(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.tx == nil {
		if err := db.w.acquire(ctx); err != nil {
			return nil, err
		}
		// The turn ends before the rows are read: the next writer then
		// waits alone in database/sql for the connection.
		defer db.w.release()
		defer db.w.wrote()
	}
	return db.rows(db.stmtContext(ctx, true), db.w, q, args)
}

// queryRow runs a plain read of at most one row: in the transaction, else
// on the read pool.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) scanner {
	return db.row(db.stmtContext(ctx, false), db.r, q, args)
}

// stmtContext returns the context a statement runs with. On a
// cancellable context database/sql and the SQLite driver each start a
// goroutine per statement to watch it, which costs more than a plain read
// takes. So a read outside a transaction, and any statement inside one,
// runs on a context that is never cancelled: the read takes microseconds,
// and the transaction itself still watches ctx (database/sql rolls it back
// when ctx ends, and the next statement fails). A write outside a
// transaction keeps ctx, so that a request that is gone stops waiting for
// the writer connection.
func (db *DB) stmtContext(ctx context.Context, write bool) context.Context {
	if (write && db.tx == nil) || ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// queryRowWrite runs a statement that writes and returns at most one row
// (RETURNING): in the transaction, else on the writer pool.
func (db *DB) queryRowWrite(ctx context.Context, q string, args ...any) scanner {
	if db.tx == nil {
		if err := db.w.acquire(ctx); err != nil {
			return errRow{err}
		}
		defer db.w.release() // as in queryWrite
		defer db.w.wrote()
	}
	return db.row(db.stmtContext(ctx, true), db.w, q, args)
}

func (db *DB) rows(ctx context.Context, p *pool, q string, args []any) (*sql.Rows, error) {
	q = db.d.rebind(q)
	st, err := db.prepared(ctx, p, q)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.QueryContext(ctx, args...)
	case db.tx != nil:
		return db.tx.QueryContext(ctx, q, args...)
	}
	return p.db.QueryContext(ctx, q, args...)
}

func (db *DB) row(ctx context.Context, p *pool, q string, args []any) scanner {
	q = db.d.rebind(q)
	st, err := db.prepared(ctx, p, q)
	switch {
	case err != nil:
		return errRow{err}
	case st != nil:
		return st.QueryRowContext(ctx, args...)
	case db.tx != nil:
		return db.tx.QueryRowContext(ctx, q, args...)
	}
	return p.db.QueryRowContext(ctx, q, args...)
}

// errRow is a row whose query could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// exists reports whether the read finds a row; used to tell "missing"
// from "already used" after an atomic update changed nothing.
func (db *DB) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := db.queryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
