package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// dialects opens an unmigrated database of each kind; PostgreSQL only when
// its environment variable is set.
var dialects = []struct {
	name string
	open func(t *testing.T) *sqlstore.DB
}{
	{"SQLite", func(t *testing.T) *sqlstore.DB {
		cfg := config.Default()
		cfg.DataDir = filepath.Join(t.TempDir(), "data")
		db, err := sqlstore.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
	{"Postgres", func(t *testing.T) *sqlstore.DB { return mustOpenPostgres(t, false) }},
}

func wantSchemaError(t *testing.T, err error, words ...string) {
	t.Helper()
	if domain.ErrorCode(err) != domain.ESCHEMA {
		t.Fatalf("got %v, want an ESCHEMA error", err)
	}
	msg := domain.ErrorMessage(err)
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not say %q", msg, w)
		}
	}
}

// OPS: serve refuses a database it does not know and names the command
// that fixes it.
func TestCheckSchemaEmptyDatabaseSaysMigrate(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := d.open(t)
			wantSchemaError(t, db.CheckSchema(ctx), "`entrykeyid migrate`")
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatalf("after migrate: %v", err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
		})
	}
}

func TestCheckSchemaNewerDatabaseIsRefused(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := d.open(t)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			known, err := db.SchemaVersion()
			if err != nil {
				t.Fatal(err)
			}
			if err := db.InsertSchemaVersionForTest(ctx, known+7); err != nil {
				t.Fatal(err)
			}
			wantSchemaError(t, db.CheckSchema(ctx), "older")
			wantSchemaError(t, db.Migrate(ctx), "older")
		})
	}
}

// Several nodes migrating one database at once all succeed.
func TestMigrateConcurrently(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := d.open(t)
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					if err := db.Migrate(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
