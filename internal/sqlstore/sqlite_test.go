package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
	"github.com/entrykeyid/entrykeyid/internal/storetest"
)

// mustOpenSQLite opens a migrated SQLite store at path, closed at cleanup.
func mustOpenSQLite(t *testing.T, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLiteMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) domain.Store {
		return mustOpenSQLite(t, ":memory:")
	})
}

func TestSQLiteFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) domain.Store {
		return mustOpenSQLite(t, filepath.Join(t.TempDir(), "nested", "dir", "entrykeyid.db"))
	})
}

// Every OpenSQLite(":memory:") is its own database.
func TestSQLiteMemoryIsPrivate(t *testing.T) {
	ctx := context.Background()
	a, b := mustOpenSQLite(t, ":memory:"), mustOpenSQLite(t, ":memory:")
	acct := &domain.Account{ID: "a1", Email: "a@example.com", EmailKey: "a@example.com", Status: domain.StatusActive}
	if err := a.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AccountByID(ctx, "a1"); !domain.IsNotFound(err) {
		t.Fatalf("second in-memory database sees the first's account: %v", err)
	}
}

// A file database keeps its rows across a reopen and does not migrate twice.
func TestSQLiteFileReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "entrykeyid.db")
	db, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	acct := &domain.Account{ID: "a1", Email: "a@example.com", EmailKey: "a@example.com", Status: domain.StatusActive}
	if err := db.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = mustOpenSQLite(t, path)
	if _, err := db.AccountByID(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
}
