package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

// A second process on the same file (`entrykeyid client add` while serve
// runs) writes while the first one's writers and readers are busy: it
// waits in SQLite's busy handler instead of failing, and each side reads
// the other's committed rows.
func TestSQLiteFileTwoOpenersShareTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "entrykeyid.db")
	serve, cli := mustOpenSQLite(t, path), mustOpenSQLite(t, path)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("busy-%d-%d", i, n)
				a := &domain.Account{ID: id, Email: id + "@example.com", EmailKey: id + "@example.com",
					Status: domain.StatusActive}
				if err := serve.CreateAccount(ctx, a); err != nil {
					t.Error(err)
					return
				}
				if _, err := serve.AccountByID(ctx, id); err != nil {
					t.Errorf("read after write: %v", err)
					return
				}
			}
		}()
	}
	for i := range 20 {
		c := &domain.Client{ID: fmt.Sprintf("client-%d", i), Name: "Portal", RedirectURIs: []string{"https://p.example/cb"}}
		if err := cli.CreateClient(ctx, c); err != nil {
			t.Fatalf("second opener: %v", err)
		}
		if _, err := serve.ClientByID(ctx, c.ID); err != nil {
			t.Fatalf("first opener does not see the second's client: %v", err)
		}
	}
	close(stop)
	wg.Wait()
}

// The read pool of a file database refuses writes, so a write that took
// the wrong pool fails in tests instead of racing the writer.
func TestSQLiteFileReadPoolIsReadOnly(t *testing.T) {
	db := mustOpenSQLite(t, filepath.Join(t.TempDir(), "entrykeyid.db"))
	err := sqlstore.WriteOnReadPoolForTest(context.Background(), db)
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("write on the read pool: %v, want a read-only error", err)
	}
}

// The WAL is copied back into the database file in the background: the
// file grows though no write crossed the writer's own (backstop)
// checkpoint threshold and nobody closed the store.
func TestSQLiteFileCheckpointsInBackground(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "entrykeyid.db")
	db := mustOpenSQLite(t, path)
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	for i := range 300 {
		id := fmt.Sprintf("ckpt-%03d", i)
		a := &domain.Account{ID: id, Email: id + "@example.com", EmailKey: id + "@example.com",
			Status: domain.StatusActive, FirstName: strings.Repeat("x", 500)}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+100_000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes (was %d): no checkpoint ran", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
