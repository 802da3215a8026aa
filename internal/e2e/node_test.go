package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// nodeDir is the Node.js test's folder, from this package's folder.
const nodeDir = "../../e2e/node"

// TestSSO1_NodeOpenIDClient runs e2e/node (npm openid-client, a certified
// relying-party library, driving Debian's Chromium through playwright-core)
// against the identity provider: discovery, PKCE, the hosted identity-first
// screens in a real browser, code exchange with ID token signature and
// claim checks, userinfo, refresh rotation and refusal of the used refresh
// token.
//
// It runs when ENTRYKEYID_TEST_NODE is set, and then a missing node,
// node_modules (run `npm ci` in e2e/node) or Chromium is a failure.
func TestSSO1_NodeOpenIDClient(t *testing.T) {
	if os.Getenv("ENTRYKEYID_TEST_NODE") == "" {
		t.Skip("set ENTRYKEYID_TEST_NODE=1 to run the openid-client (Node.js) test; needs node, `npm ci` in e2e/node and /usr/bin/chromium")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("ENTRYKEYID_TEST_NODE is set but node is not installed: %v", err)
	}
	dir, err := filepath.Abs(nodeDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"openid-client", "playwright-core"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("ENTRYKEYID_TEST_NODE is set but %s is not installed: run `npm ci` in e2e/node (%v)", pkg, err)
		}
	}
	chromium := chromiumPath(t)

	idp := StartIdP(t)
	redirect := "http://127.0.0.1:" + strconv.Itoa(freePort(t)) + "/cb"
	secret := idp.RegisterClient(t, ClientSpec{
		ID: "node-rp", Name: "openid-client test portal", PortalType: "member",
		RedirectURIs: []string{redirect},
	})
	const email, pw = "grace.hopper@example.test", "Cobol-Compiler-1959"
	idp.CreateActiveAccount(t, email, "Grace", "Hopper", pw)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"ISSUER="+idp.Issuer,
		"CLIENT_ID=node-rp",
		"CLIENT_SECRET="+secret,
		"REDIRECT_URI="+redirect,
		"USERNAME="+email,
		"PASSWORD="+pw,
		"CHROMIUM="+chromium,
		"NO_COLOR=1",
	)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test in e2e/node:\n%s", out)
	if err != nil {
		t.Fatalf("node --test failed: %v", err)
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// chromiumPath returns Debian's Chromium, failing the test when it is
// missing: callers run only when their suite was asked for.
func chromiumPath(t *testing.T) string {
	t.Helper()
	const path = "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Chromium is not installed at %s (apt-get install -y chromium): %v", path, err)
	}
	return path
}
