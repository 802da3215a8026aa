package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// listeningAddr returns the address a running serve logged, or "".
func listeningAddr(logs string) string {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "EntryKeyID listening" {
			return line.Addr
		}
	}
	return ""
}

// serveUntilHealthy starts serve with args, waits until /healthz answers
// 200, then stops it and checks it stopped cleanly.
func serveUntilHealthy(t *testing.T, args ...string) {
	t.Helper()
	r, stop := start(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, args...)...)
	var addr string
	waitFor(t, "serve to listen", func() bool {
		addr = listeningAddr(r.stderr.String())
		return addr != "" || r.err != nil
	})
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v\n%s", err, r.stderr)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz = %d", resp.StatusCode)
	}
	if res := stop(); res.err != nil {
		t.Errorf("serve stopped with %v\n%s", res.err, res.stderr)
	}
}

func TestOPS1_ServeCreatesAndMigratesANewSQLiteDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	serveUntilHealthy(t, "--data-dir", dir)
	if _, err := os.Stat(filepath.Join(dir, SQLiteFile)); err != nil {
		t.Fatalf("no database file: %v", err)
	}
}

func TestServeRefusesAnUnmigratedSQLiteFileAndMigrateFixesIt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SQLiteFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	if r.code() != 1 || !strings.Contains(r.stderr.String(), "entrykeyid migrate --data-dir") {
		t.Fatalf("serve on an empty database: exit %d, stderr:\n%s", r.code(), r.stderr)
	}
	if r := run(t, nil, "client", "list", "--data-dir", dir); r.code() != 1 || !strings.Contains(r.err.Error(), "entrykeyid migrate") {
		t.Errorf("client list on an empty database: exit %d, %v", r.code(), r.err)
	}
	for range 2 { // migrate is idempotent
		if r := run(t, nil, "migrate", "--data-dir", dir); r.err != nil || !strings.Contains(r.stdout.String(), "up to date") {
			t.Fatalf("migrate: %v\n%s%s", r.err, r.stdout, r.stderr)
		}
	}
	serveUntilHealthy(t, "--data-dir", dir)
}

func TestServeRefusesAnUnmigratedPostgresSchemaAndMigrateFixesIt(t *testing.T) {
	dbURL := freshPostgresURL(t)
	env := map[string]string{"ENTRYKEYID_DATABASE": dbURL}
	r := run(t, env, "serve", "--addr", "127.0.0.1:0")
	if r.code() != 1 || !strings.Contains(r.stderr.String(), "entrykeyid migrate --database") {
		t.Fatalf("serve on an empty schema: exit %d, stderr:\n%s", r.code(), r.stderr)
	}
	if r := run(t, env, "migrate"); r.err != nil {
		t.Fatalf("migrate: %v\n%s", r.err, r.stderr)
	}
	serveUntilHealthy(t, "--database", dbURL)
	if r := run(t, env, "client", "add", "--id", "p", "--name", "P", "--redirect-uri", "https://p.example.org/cb"); r.err != nil {
		t.Errorf("client add on PostgreSQL: %v", r.err)
	}
}

// freshPostgresURL creates an empty schema in the database that
// ENTRYKEYID_TEST_POSTGRES names, dropped at cleanup, and returns a URL
// whose connections use it. It skips t when the variable is unset.
func freshPostgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("ENTRYKEYID_TEST_POSTGRES")
	if base == "" {
		t.Skip("ENTRYKEYID_TEST_POSTGRES is not set; set it to a PostgreSQL URL to run the PostgreSQL CLI tests")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "ekid_cli_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestOPS2_ClientAddWhileServeRuns(t *testing.T) {
	dir := t.TempDir()
	r, stop := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--data-dir", dir)
	var addr string
	waitFor(t, "serve to listen", func() bool { addr = listeningAddr(r.stderr.String()); return addr != "" })

	add := run(t, nil, "client", "add", "--data-dir", dir, "--id", "late", "--name", "Late portal",
		"--redirect-uri", "https://late.example.org/cb", "--json")
	if add.err != nil {
		t.Fatalf("client add while serve runs: %v\n%s", add.err, add.stderr)
	}
	q := url.Values{
		"client_id": {"late"}, "redirect_uri": {"https://late.example.org/cb"}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"s"}, "code_challenge_method": {"S256"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + addr + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/login?authRequestID=") {
		t.Fatalf("the running server does not know the new client: %d %s", resp.StatusCode, loc)
	}
	if res := stop(); res.err != nil {
		t.Fatal(res.err)
	}
}
