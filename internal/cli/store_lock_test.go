package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLockDataDirIsExclusiveUntilReleased(t *testing.T) {
	dir := t.TempDir()
	first, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockDataDir(dir)
	if err == nil || !strings.Contains(err.Error(), "the data folder "+dir+" is in use by another EntryKeyID server (in this process)") {
		t.Fatalf("second lock: %v, want a refusal naming the folder", err)
	}
	first.Release()
	first.Release() // twice is harmless
	again, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.Release()
	if info, err := os.Stat(filepath.Join(dir, LockFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("lock file %v, %v; want it kept at mode 0600", info, err)
	}
}

// demoURLs waits for a running demo's URL lines and returns them by name.
func demoURLs(t *testing.T, r result) map[string]string {
	t.Helper()
	waitFor(t, "the demo's URLs", func() bool { return strings.Contains(r.stdout.String(), "Development inbox") || r.err != nil })
	urls := map[string]string{}
	for _, l := range strings.Split(r.stdout.String(), "\n") {
		if name, u, ok := strings.Cut(l, ": "); ok && strings.HasPrefix(strings.TrimSpace(u), "http") {
			urls[strings.TrimSpace(name)] = strings.TrimSpace(u)
		}
	}
	return urls
}

// redirectURIs returns every registered client's redirect URIs, sorted.
func redirectURIs(t *testing.T, dir string) []string {
	t.Helper()
	db := openDataDir(t, dir)
	clients, err := db.ListClients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, c := range clients {
		uris = append(uris, c.RedirectURIs...)
	}
	slices.Sort(uris)
	return uris
}

func TestSecondServerOnTheSameDataFolderIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ports := []string{"--addr", "127.0.0.1:0", "--member-addr", "127.0.0.1:0", "--provider-addr", "127.0.0.1:0"}
	first, stop := start(t, nil, append([]string{"demo", "--data-dir", dir}, ports...)...)
	urls := demoURLs(t, first)
	before := redirectURIs(t, dir)
	if len(before) != 2 {
		t.Fatalf("redirect URIs %q, want the two portals'", before)
	}

	for _, args := range [][]string{
		append([]string{"demo", "--data-dir", dir}, ports...),
		{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--metrics-addr", ""},
	} {
		r := run(t, nil, args...)
		msg := strings.TrimSpace(r.stderr.String())
		if r.code() != 1 || !strings.Contains(msg, "the data folder "+dir+" is in use by another EntryKeyID server") ||
			strings.Contains(msg, "\n") {
			t.Errorf("%s on a folder in use: exit %d, stderr:\n%s", args[0], r.code(), msg)
		}
		if strings.Contains(r.stdout.String(), "http://") {
			t.Errorf("%s on a folder in use printed URLs:\n%s", args[0], r.stdout)
		}
	}
	if after := redirectURIs(t, dir); !slices.Equal(after, before) {
		t.Errorf("the refused servers changed the portals' redirect URIs from %q to %q", before, after)
	}
	// The first demo still signs its member in.
	if body := signInAtPortal(t, urls["Member portal"], demoEmail, demoPassword); !strings.Contains(body, "María Demo") {
		t.Errorf("the first demo no longer signs in:\n%s", body)
	}

	// client and migrate take no lock.
	if r := run(t, nil, "client", "add", "--data-dir", dir, "--id", "beside", "--name", "Beside",
		"--redirect-uri", "https://beside.example.org/cb"); r.err != nil {
		t.Errorf("client add beside the demo: %v\n%s", r.err, r.stderr)
	}
	if r := run(t, nil, "client", "list", "--data-dir", dir); r.err != nil || !strings.Contains(r.stdout.String(), "beside") {
		t.Errorf("client list beside the demo: %v\n%s", r.err, r.stdout)
	}
	if r := run(t, nil, "client", "remove", "--data-dir", dir, "--id", "beside"); r.err != nil {
		t.Errorf("client remove beside the demo: %v", r.err)
	}
	if r := run(t, nil, "migrate", "--data-dir", dir); r.err != nil {
		t.Errorf("migrate beside the demo: %v\n%s", r.err, r.stderr)
	}

	// Stopped, the demo lets the folder go.
	if res := stop(); res.err != nil {
		t.Fatalf("demo: %v\n%s", res.err, res.stderr)
	}
	serveUntilHealthy(t, "--data-dir", dir)
}

func TestPostgresServersTakeNoLock(t *testing.T) {
	// Without a reachable PostgreSQL, serve fails to connect, and it has
	// not made or locked the data folder on the way.
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := result{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	r.err = Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir,
		"--database", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, environ(nil), strings.NewReader(""), r.stdout, r.stderr)
	if r.err == nil {
		t.Fatal("serve on an unreachable PostgreSQL started")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("serve on PostgreSQL touched the data folder: %v", err)
	}

	// Two nodes on one PostgreSQL both run.
	dbURL := freshPostgresURL(t)
	if r := run(t, nil, "migrate", "--database", dbURL); r.err != nil {
		t.Fatal(r.err)
	}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "", "--database", dbURL, "--data-dir", dir}
	a, stopA := start(t, nil, args...)
	b, stopB := start(t, nil, args...)
	for _, r := range []result{a, b} {
		waitFor(t, "both nodes to listen", func() bool { return listeningAddr(r.stderr.String()) != "" || r.err != nil })
	}
	for _, stop := range []func() result{stopA, stopB} {
		if res := stop(); res.err != nil {
			t.Errorf("node: %v\n%s", res.err, res.stderr)
		}
	}
}
