package cli

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

func TestServeRefusesABadAddressBeforeTouchingTheDisk(t *testing.T) {
	for _, addr := range []string{"nonsense", "127.0.0.1", ":http", ":70000"} {
		dir := filepath.Join(t.TempDir(), "data")
		r := run(t, nil, "serve", "--addr", addr, "--data-dir", dir)
		if r.code() != 2 || !strings.Contains(r.err.Error(), "addr: ") || !strings.Contains(r.err.Error(), addr) {
			t.Errorf("serve --addr %s: exit %d, %v; want 2 and a message about --addr", addr, r.code(), r.err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("serve --addr %s created the data folder (%v)", addr, err)
		}
	}
	// The demo too.
	dir := filepath.Join(t.TempDir(), "data")
	if r := run(t, nil, "demo", "--addr", "nonsense", "--data-dir", dir); r.code() != 2 {
		t.Errorf("demo --addr nonsense: exit %d, %v", r.code(), r.err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("demo --addr nonsense created the data folder (%v)", err)
	}
}

func TestServeRefusesAMinimumPasswordLengthAboveTheMaximum(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	r := run(t, nil, "serve", "--password-min-length", "200", "--data-dir", dir)
	if r.code() != 2 || !strings.Contains(r.err.Error(), "password-min-length: is 200, longer than --password-max-length 128") {
		t.Fatalf("exit %d, %v; want 2 naming both lengths", r.code(), r.err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused serve created the data folder (%v)", err)
	}
}

// loadServe loads serve's configuration from args and the environment.
func loadServe(t *testing.T, vars map[string]string, args ...string) config.Config {
	t.Helper()
	cfg := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := bindServe(fs, &cfg).load(args, environ(vars)); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestIssuerFollowsTheAddressUnlessGiven(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		args []string
		want string
	}{
		{nil, []string{"--addr", ":8095"}, "http://127.0.0.1:8095"},
		{nil, []string{"--addr", "0.0.0.0:8095"}, "http://127.0.0.1:8095"},
		{nil, []string{"--addr", "10.1.2.3:8095"}, "http://10.1.2.3:8095"},
		{map[string]string{"ENTRYKEYID_ADDR": "127.0.0.1:9000"}, nil, "http://127.0.0.1:9000"},
		{nil, []string{"--addr", ":8095", "--issuer", "https://id.example.org"}, "https://id.example.org"},
		{map[string]string{"ENTRYKEYID_ISSUER": "https://id.example.org"}, []string{"--addr", ":8095"}, "https://id.example.org"},
	} {
		if got := loadServe(t, tc.vars, tc.args...).Issuer; got != tc.want {
			t.Errorf("env %v, args %q: issuer %s, want %s", tc.vars, tc.args, got, tc.want)
		}
	}
	r := run(t, nil, "serve", "-h")
	if strings.Contains(r.stderr.String(), `default "http://127.0.0.1:8080"`) {
		t.Errorf("serve -h gives the issuer a fixed default:\n%s", r.stderr)
	}
}

func TestServeDerivesTheIssuerFromThePortBoundAndLogsIt(t *testing.T) {
	r, stop := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "", "--data-dir", filepath.Join(t.TempDir(), "d"))
	var addr string
	waitFor(t, "serve to listen", func() bool { addr = listeningAddr(r.stderr.String()); return addr != "" || r.err != nil })
	issuer := "http://" + addr
	if !strings.Contains(r.stderr.String(), `"msg":"issuer derived from --addr`) || !strings.Contains(r.stderr.String(), `"issuer":"`+issuer+`"`) {
		t.Errorf("no log line with the derived issuer %s:\n%s", issuer, r.stderr)
	}
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"issuer":"`+issuer+`"`) {
		t.Errorf("discovery does not name the issuer %s:\n%s", issuer, body)
	}
	stop()
}

func TestAGivenLoopbackIssuerOnAnotherPortIsWarnedAbout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct {
		issuer string
		warn   bool
	}{
		{"http://127.0.0.1:1", true},
		{"http://localhost:1", true},
		{"http://" + l.Addr().String(), false},
		{"https://id.example.org", false}, // a proxy's public name
	} {
		var logs bytes.Buffer
		cfg := config.Default()
		cfg.Addr, cfg.Issuer = l.Addr().String(), tc.issuer
		settleIssuer(&cfg, true, l, slog.New(slog.NewJSONHandler(&logs, nil)))
		if cfg.Issuer != tc.issuer {
			t.Errorf("a given issuer was changed to %s", cfg.Issuer)
		}
		if got := strings.Contains(logs.String(), `"level":"WARN"`); got != tc.warn {
			t.Errorf("issuer %s on %s: warned %v, want %v:\n%s", tc.issuer, cfg.Addr, got, tc.warn, logs.String())
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		r := run(t, nil, args...)
		out := r.stdout.String()
		if r.err != nil || !strings.HasPrefix(out, "entrykeyid ") || !strings.Contains(out, runtime.Version()) ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%q: %v, printed %q; want one line with the version and %s", args, r.err, out, runtime.Version())
		}
	}
	if r := run(t, nil, "help"); !strings.Contains(r.stdout.String(), "version") {
		t.Errorf("help does not list version:\n%s", r.stdout)
	}
	if r := run(t, nil, "version", "extra"); r.code() != 2 {
		t.Errorf("version extra: exit %d, want 2", r.code())
	}
}
