package cli

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func TestDemoPrintsTheURLsLastAndServesThem(t *testing.T) {
	dir := t.TempDir()
	r, stop := start(t, nil, "demo", "--data-dir", dir,
		"--addr", "127.0.0.1:0", "--member-addr", "127.0.0.1:0", "--provider-addr", "127.0.0.1:0")
	waitFor(t, "the demo's URLs", func() bool { return strings.Contains(r.stdout.String(), "Development inbox") })

	lines := strings.Split(strings.TrimSpace(r.stdout.String()), "\n")
	if len(lines) < 4 {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	urls := map[string]string{}
	for _, l := range lines[len(lines)-4:] {
		name, u, ok := strings.Cut(l, ": ")
		if !ok || !strings.HasPrefix(strings.TrimSpace(u), "http://127.0.0.1:") {
			t.Fatalf("the last lines are not the URLs to open:\n%s", r.stdout)
		}
		urls[strings.TrimSpace(name)] = strings.TrimSpace(u)
	}
	for _, name := range []string{"Identity provider", "Member portal", "Provider portal", "Development inbox"} {
		if urls[name] == "" {
			t.Fatalf("no %s URL in:\n%s", name, r.stdout)
		}
	}
	if !strings.HasSuffix(urls["Development inbox"], "/dev/mail") {
		t.Errorf("inbox URL %s", urls["Development inbox"])
	}

	for name, want := range map[string]string{
		"Member portal":     `data-screen="portal-signed-out"`,
		"Provider portal":   `data-screen="portal-signed-out"`,
		"Development inbox": "",
	} {
		body := mustGet(t, urls[name])
		if !strings.Contains(body, want) {
			t.Errorf("%s answers:\n%s", name, body)
		}
	}
	// A portal's sign-in goes to the provider's identify screen: the
	// portal is a registered client with the right redirect URI.
	if body := mustGet(t, urls["Member portal"]+"/login"); !strings.Contains(body, `data-screen="identify"`) {
		t.Errorf("member portal sign-in did not reach the identify screen:\n%s", body)
	}
	if res := stop(); res.err != nil {
		t.Fatalf("demo stopped with %v\n%s", res.err, res.stderr)
	}

	// Both portals are registered, and a second start replaces them.
	r2, stop2 := start(t, nil, "demo", "--data-dir", dir,
		"--addr", "127.0.0.1:0", "--member-addr", "127.0.0.1:0", "--provider-addr", "127.0.0.1:0")
	waitFor(t, "the second demo", func() bool { return strings.Contains(r2.stdout.String(), "Development inbox") })
	if res := stop2(); res.err != nil {
		t.Fatalf("second demo: %v\n%s", res.err, res.stderr)
	}
	db := openDataDir(t, dir)
	clients, err := db.ListClients(context.Background())
	if err != nil || len(clients) != 2 {
		t.Fatalf("clients %v, %v; want the two portals", clients, err)
	}
	for _, c := range clients {
		if c.Public || c.SecretDigest == "" || len(c.RedirectURIs) != 1 || !strings.HasSuffix(c.RedirectURIs[0], "/callback") {
			t.Errorf("portal client %+v", c)
		}
		if c.PortalType != domain.PortalMember && c.PortalType != domain.PortalProvider {
			t.Errorf("portal type %q", c.PortalType)
		}
	}
}

func mustGet(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d", u, resp.StatusCode)
	}
	return string(body)
}
