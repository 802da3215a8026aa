package cli

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
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
	if len(lines) < 6 {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	// Just before the URLs: the demo member's address and password.
	if !slices.Contains(lines[:len(lines)-4], "Demo sign-in: "+demoEmail+" / "+demoPassword+" (or create an account)") {
		t.Errorf("no demo sign-in line before the URLs:\n%s", r.stdout)
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
	// The demo member signs in at the Member portal.
	if body := signInAtPortal(t, urls["Member portal"], demoEmail, demoPassword); !strings.Contains(body, "María Demo") {
		t.Errorf("the demo member's sign-in did not end signed in at the Member portal:\n%s", body)
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
	if n, err := db.CountAccounts(context.Background()); err != nil || n != 1 {
		t.Errorf("after two starts, %d accounts (%v); want the one demo member", n, err)
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

// mustGet opens u in a new cookie-keeping client, as a browser would:
// a sign-in is served only to the browser that started it.
func mustGet(t *testing.T, u string) string {
	t.Helper()
	resp, err := newCookieClient(t).Get(u)
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

func newCookieClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

var formActionPattern = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
var hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// signInAtPortal signs in identity-first from the portal's sign-in and
// returns the page it ends on.
func signInAtPortal(t *testing.T, portalURL, email, pw string) string {
	t.Helper()
	c := newCookieClient(t)
	post := func(resp *http.Response, fields url.Values) *http.Response {
		t.Helper()
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := formActionPattern.FindStringSubmatchIndex(string(body))
		if m == nil {
			t.Fatalf("no form at %s:\n%s", resp.Request.URL, body)
		}
		form, _, _ := strings.Cut(string(body[m[0]:]), "</form>") // the first POST form only
		for _, h := range hiddenPattern.FindAllStringSubmatch(form, -1) {
			fields.Set(h[1], html.UnescapeString(h[2]))
		}
		action, err := resp.Request.URL.Parse(html.UnescapeString(string(body[m[2]:m[3]])))
		if err != nil {
			t.Fatal(err)
		}
		next, err := c.PostForm(action.String(), fields)
		if err != nil {
			t.Fatal(err)
		}
		return next
	}
	resp, err := c.Get(portalURL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp = post(resp, url.Values{"username": {email}})
	resp = post(resp, url.Values{"username": {email}, "password": {pw}})
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
