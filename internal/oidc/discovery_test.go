package oidc

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSSO1_DiscoveryGolden(t *testing.T) {
	h := newHarness(t)
	resp, err := http.Get(h.cfg.URL("/.well-known/openid-configuration"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("discovery: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The test server's port changes; the golden file names the issuer.
	body = bytes.ReplaceAll(body, []byte(h.cfg.Issuer), []byte("https://id.example"))
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "discovery.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("discovery differs from %s (go test -update rewrites it):\n%s", golden, out.Bytes())
	}
}

func TestHandlerServesOnlyItsPaths(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/healthz", "/ready", "/device_authorization", "/revoke", "/callback"} {
		resp, err := http.Get(h.cfg.URL(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}
