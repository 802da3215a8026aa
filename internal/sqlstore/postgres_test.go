package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
	"github.com/entrykeyid/entrykeyid/internal/storetest"
)

// postgresEnv names the PostgreSQL database the PostgreSQL tests use.
const postgresEnv = "ENTRYKEYID_TEST_POSTGRES"

// skipWithoutPostgres skips t unless postgresEnv names a database, and
// returns its URL.
func skipWithoutPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv(postgresEnv)
	if base == "" {
		t.Skip(postgresEnv + " is not set; set it to a PostgreSQL URL " +
			"(e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL tests")
	}
	return base
}

// freshPostgresURL creates an empty schema for t, dropped at cleanup, and
// returns a URL whose connections use it. It skips t when postgresEnv is
// unset.
func freshPostgresURL(t *testing.T) string {
	t.Helper()
	base := skipWithoutPostgres(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "ekid_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// mustOpenPostgres opens a store on a fresh schema, migrated when migrate.
func mustOpenPostgres(t *testing.T, migrate bool) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.OpenPostgres(ctx, freshPostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if migrate {
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestPostgres(t *testing.T) {
	skipWithoutPostgres(t)
	storetest.Run(t, func(t *testing.T) domain.Store {
		return mustOpenPostgres(t, true)
	})
}
