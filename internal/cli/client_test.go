package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// openDataDir opens the SQLite database of a data folder, as serve would.
func openDataDir(t *testing.T, dir string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOPS2_ClientAddJSONShowsTheSecretOnceAndStoresItsDigest(t *testing.T) {
	dir := t.TempDir()
	r := run(t, nil, "client", "add", "--data-dir", dir, "--id", "member-portal", "--name", "Member portal",
		"--redirect-uri", "https://members.example.org/callback", "--redirect-uri", "http://127.0.0.1:8081/callback",
		"--post-logout-redirect-uri", "https://members.example.org/", "--portal-type", "member", "--json")
	if r.err != nil {
		t.Fatalf("client add: %v\n%s", r.err, r.stderr)
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(r.stdout.String()), &out); err != nil {
		t.Fatalf("stdout is not the JSON object: %v\n%s", err, r.stdout)
	}
	if out.ClientID != "member-portal" || len(out.ClientSecret) < 43 {
		t.Fatalf("printed %+v, want the id and a 256-bit secret", out)
	}
	if n := strings.Count(r.stdout.String()+r.stderr.String(), out.ClientSecret); n != 1 {
		t.Errorf("the secret appears %d times in the output, want once", n)
	}

	db := openDataDir(t, dir)
	c, err := db.ClientByID(context.Background(), "member-portal")
	if err != nil {
		t.Fatal(err)
	}
	if c.SecretDigest != oidc.HashSecret(out.ClientSecret) || strings.Contains(c.SecretDigest, out.ClientSecret) {
		t.Errorf("stored secret %q, want only the digest of the printed secret", c.SecretDigest)
	}
	if c.Public || c.PortalType != domain.PortalMember || len(c.RedirectURIs) != 2 || len(c.PostLogoutRedirectURIs) != 1 {
		t.Errorf("stored client %+v", c)
	}
	events, err := db.ListAudit(context.Background(), domain.AuditFilter{Type: domain.AuditClientCreate})
	if err != nil || len(events) != 1 || events[0].ClientID != "member-portal" {
		t.Errorf("audit client.create = %v, %v", events, err)
	}

	// The same id again is refused; the listing never shows a secret.
	if r := run(t, nil, "client", "add", "--data-dir", dir, "--id", "member-portal", "--name", "x",
		"--redirect-uri", "https://x.example.org/cb"); r.code() != 1 || !strings.Contains(r.err.Error(), "exists") {
		t.Errorf("a second member-portal: exit %d, %v", r.code(), r.err)
	}
	list := run(t, nil, "client", "list", "--data-dir", dir, "--json")
	if list.err != nil || !strings.Contains(list.stdout.String(), `"client_id": "member-portal"`) ||
		strings.Contains(list.stdout.String(), c.SecretDigest) {
		t.Errorf("client list --json: %v\n%s", list.err, list.stdout)
	}
	table := run(t, nil, "client", "list", "--data-dir", dir)
	if table.err != nil || !strings.Contains(table.stdout.String(), "member-portal") {
		t.Errorf("client list: %v\n%s", table.err, table.stdout)
	}
}

func TestOPS2_PublicClientHasNoSecret(t *testing.T) {
	dir := t.TempDir()
	r := run(t, nil, "client", "add", "--data-dir", dir, "--id", "spa", "--name", "SPA", "--public",
		"--redirect-uri", "https://spa.example.org/cb", "--json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if strings.Contains(r.stdout.String(), "client_secret") {
		t.Errorf("a public client got a secret: %s", r.stdout)
	}
	c, err := openDataDir(t, dir).ClientByID(context.Background(), "spa")
	if err != nil || !c.Public || c.SecretDigest != "" {
		t.Errorf("stored %+v, %v; want a public client without digest", c, err)
	}
}

func TestOPS2_ClientAddRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"plain http elsewhere", []string{"--redirect-uri", "http://members.example.org/cb"}, "https"},
		{"relative", []string{"--redirect-uri", "/callback"}, "absolute"},
		{"fragment", []string{"--redirect-uri", "https://m.example.org/cb#top"}, "fragment"},
		{"other scheme", []string{"--redirect-uri", "ftp://m.example.org/cb"}, "https"},
		{"user info", []string{"--redirect-uri", "https://u:p@m.example.org/cb"}, "password"},
		{"no redirect", nil, "at least one"},
		{"bad post-logout", []string{"--redirect-uri", "https://m.example.org/cb", "--post-logout-redirect-uri", "http://evil.example/"}, "post-logout"},
		{"bad portal type", []string{"--redirect-uri", "https://m.example.org/cb", "--portal-type", "admin"}, "portal-type"},
		{"bad id", []string{"--id", "no spaces", "--redirect-uri", "https://m.example.org/cb"}, "--id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"client", "add", "--data-dir", dir, "--id", "p", "--name", "P"}, tc.args...)
			r := run(t, nil, args...)
			if r.code() != 2 || !strings.Contains(r.err.Error(), tc.want) {
				t.Fatalf("exit %d, err %v; want 2 and a message about %q", r.code(), r.err, tc.want)
			}
			if strings.Contains(r.stdout.String(), "client_secret") {
				t.Errorf("a secret was printed for a refused client")
			}
		})
	}
}

func TestOPS2_ClientRemove(t *testing.T) {
	dir := t.TempDir()
	if r := run(t, nil, "client", "add", "--data-dir", dir, "--id", "p", "--name", "P",
		"--redirect-uri", "https://p.example.org/cb"); r.err != nil {
		t.Fatal(r.err)
	}
	if r := run(t, nil, "client", "remove", "--data-dir", dir, "--id", "p"); r.err != nil {
		t.Fatal(r.err)
	}
	if r := run(t, nil, "client", "remove", "--data-dir", dir, "--id", "p"); r.code() != 1 {
		t.Errorf("removing a missing client: exit %d, want 1", r.code())
	}
	db := openDataDir(t, dir)
	if _, err := db.ClientByID(context.Background(), "p"); !domain.IsNotFound(err) {
		t.Errorf("client still there: %v", err)
	}
	if ev, _ := db.ListAudit(context.Background(), domain.AuditFilter{Type: domain.AuditClientRemove}); len(ev) != 1 {
		t.Errorf("client.remove audited %d times, want 1", len(ev))
	}
}
