package sqlstore

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/storetest"
)

// hotQueries are fragments of the queries that run on every sign-in,
// code exchange, refresh, userinfo, introspection or revocation. Each
// must be among the queries the conformance suite runs, and, like every
// query not in fullScans, find its rows through an index.
var hotQueries = []string{
	"FROM accounts WHERE id = ?",
	"FROM accounts WHERE email_key = ?",
	"UPDATE accounts SET failed_logins = 0",
	"FROM sessions WHERE id = ?",
	"UPDATE sessions SET last_seen_at = ?",
	"FROM clients WHERE id = ?",
	"FROM auth_requests WHERE id = ?",
	"FROM auth_requests\n\t\tWHERE code_digest = ?",
	"UPDATE auth_requests SET account_id = ?",
	"UPDATE auth_requests SET code_digest = ?, code_issued_at = ?",
	"UPDATE auth_requests SET code_used_at = ?",
	"FROM tokens WHERE id = ?",
	"UPDATE tokens SET used_at = ?",
	"WHERE family_id = ? AND revoked_at IS NULL",
	"WHERE auth_request_id = ? AND revoked_at IS NULL",
	"WHERE session_id = ? AND revoked_at IS NULL",
	"WHERE account_id = ? AND revoked_at IS NULL",
	"UPDATE links SET used_at = ?",
}

// fullScans are the queries allowed to read a whole table (or index),
// each for the reason given.
var fullScans = map[string]string{
	"SELECT COUNT(*) FROM accounts":                           "administration, not a request path",
	"DELETE FROM clients WHERE id = ?":                        "administration; its cascade reads auth_requests, which cleanup keeps short",
	"FROM clients ORDER BY id":                                "lists every client",
	"FROM signing_keys ORDER BY created_at":                   "lists every key, a handful of rows, read at start and rotation",
	"FROM audit_events WHERE 1 = 1 ORDER BY id DESC":          "lists the whole log, newest first, by primary key",
	"FROM outbox WHERE to_addr = ? AND created_at > ?":        "sign-up only (documented on CountMessagesTo)",
	"FROM sqlite_master":                                      "the schema table",
	"SELECT COALESCE(MAX(version), 0) FROM schema_migrations": "a handful of rows",
}

// TestSQLiteHotQueriesUseIndexes runs the conformance suite on a SQLite
// file, collects every query it ran (the statement caches hold them all)
// and checks with EXPLAIN QUERY PLAN that none scans a table, except the
// ones fullScans allows.
func TestSQLiteHotQueriesUseIndexes(t *testing.T) {
	var mu sync.Mutex
	ran := map[string]bool{}
	collect := func(p *pool) {
		p.mu.RLock()
		defer p.mu.RUnlock()
		mu.Lock()
		defer mu.Unlock()
		for q := range p.stmts {
			ran[q] = true
		}
	}
	storetest.Run(t, func(t *testing.T) domain.Store {
		db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "entrykeyid.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		t.Cleanup(func() { collect(db.w); collect(db.r) }) // runs first
		return db
	})
	if t.Failed() {
		return
	}

	db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := make([]string, 0, len(ran))
	for q := range ran {
		queries = append(queries, q)
	}
	sort.Strings(queries)
	for _, hot := range hotQueries {
		found := false
		for _, q := range queries {
			found = found || strings.Contains(q, hot)
		}
		if !found {
			t.Errorf("no query ran with %q: update hotQueries or the conformance suite", hot)
		}
	}
	for _, q := range queries {
		plan := explain(t, db, q)
		t.Logf("%s\n%s", q, plan)
		if !strings.Contains(plan, "SCAN ") {
			continue
		}
		allowed := false
		for frag := range fullScans {
			allowed = allowed || strings.Contains(q, frag)
		}
		if !allowed {
			t.Errorf("query scans a table:\n%s\nplan:\n%s", q, plan)
		}
	}
}

// explain returns the lines of SQLite's query plan for q, unbound
// parameters read as NULL.
func explain(t *testing.T, db *DB, q string) string {
	t.Helper()
	args := make([]any, strings.Count(q, "?")) // our queries hold "?" only as placeholders
	rows, err := db.w.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
