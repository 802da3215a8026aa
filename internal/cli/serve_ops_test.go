package cli

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// loggedAddr returns the "addr" of the first log line with message msg.
func loggedAddr(logs, msg string) string {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == msg {
			return line.Addr
		}
	}
	return ""
}

func status(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestOPS3_MetricsOnTheirOwnListener(t *testing.T) {
	r, stop := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--data-dir", t.TempDir())
	var addr, metricsAddr string
	waitFor(t, "serve to listen", func() bool {
		addr, metricsAddr = listeningAddr(r.stderr.String()), loggedAddr(r.stderr.String(), "metrics listening")
		return addr != "" && metricsAddr != ""
	})
	if got := status(t, "http://"+metricsAddr+"/metrics"); got != http.StatusOK {
		t.Errorf("metrics listener /metrics = %d", got)
	}
	if got := status(t, "http://"+addr+"/metrics"); got != http.StatusNotFound {
		t.Errorf("main listener /metrics = %d, want 404", got)
	}
	if res := stop(); res.err != nil {
		t.Fatalf("serve stopped with %v\n%s", res.err, res.stderr)
	}

	// --metrics-addr "" serves /metrics on the main listener.
	r, stop = start(t, nil, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "", "--data-dir", t.TempDir())
	waitFor(t, "serve to listen", func() bool { addr = listeningAddr(r.stderr.String()); return addr != "" })
	if got := status(t, "http://"+addr+"/metrics"); got != http.StatusOK {
		t.Errorf("with --metrics-addr \"\", main listener /metrics = %d", got)
	}
	stop()
}

func TestDevRefusedUnlessTheAddressIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		args []string
	}{
		{nil, []string{"serve", "--dev", "--addr", "0.0.0.0:0"}},
		{nil, []string{"serve", "--dev", "--addr", ":8080"}},
		{map[string]string{"ENTRYKEYID_DEV": "true", "ENTRYKEYID_ADDR": "192.0.2.10:8080"}, []string{"serve"}},
		{nil, []string{"demo", "--addr", "0.0.0.0:0"}},
	} {
		r := run(t, tc.vars, append(tc.args, "--data-dir", t.TempDir())...)
		if r.code() != 2 || !strings.Contains(r.stderr.String(), "dev: development mode") ||
			!strings.Contains(r.stderr.String(), "loopback") {
			t.Errorf("%v %v: exit %d, stderr:\n%s", tc.vars, tc.args, r.code(), r.stderr)
		}
	}
	// On loopback it runs, and says loudly that it is in development mode.
	r, stop := start(t, nil, "serve", "--dev", "--addr", "127.0.0.1:0", "--metrics-addr", "", "--data-dir", t.TempDir())
	waitFor(t, "serve to listen", func() bool { return listeningAddr(r.stderr.String()) != "" })
	if !strings.Contains(r.stderr.String(), `"level":"WARN","msg":"DEVELOPMENT MODE (--dev)`) {
		t.Errorf("no warning line for development mode:\n%s", r.stderr)
	}
	stop()
}

func TestSecondDemoOnTheSamePortSaysPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, flag := range []string{"--addr", "--member-addr", "--provider-addr"} {
		args := map[string]string{"--addr": "127.0.0.1:0", "--member-addr": "127.0.0.1:0", "--provider-addr": "127.0.0.1:0"}
		args[flag] = busy.Addr().String()
		r := run(t, nil, "demo", "--data-dir", t.TempDir(),
			"--addr", args["--addr"], "--member-addr", args["--member-addr"], "--provider-addr", args["--provider-addr"])
		msg := r.stderr.String()
		if r.code() != 1 || !strings.Contains(msg, "port in use: "+busy.Addr().String()) || !strings.Contains(msg, flag) ||
			strings.Contains(msg, "goroutine") || strings.Count(strings.TrimSpace(msg), "\n") > 0 {
			t.Errorf("demo with %s busy: exit %d, stderr:\n%s", flag, r.code(), msg)
		}
	}
	// serve's metrics port too.
	r := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", busy.Addr().String(), "--data-dir", t.TempDir())
	if r.code() != 1 || !strings.Contains(r.stderr.String(), "--metrics-addr") {
		t.Errorf("serve with the metrics port busy: exit %d, stderr:\n%s", r.code(), r.stderr)
	}
}

func TestServeKeepsTheDatabaseToItsUser(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	serveUntilHealthy(t, "--data-dir", dir)
	mode := func(p string) fs.FileMode {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return info.Mode().Perm()
	}
	if m := mode(dir); m != 0o700 {
		t.Errorf("data folder created with mode %v, want 0700", m)
	}
	db := filepath.Join(dir, SQLiteFile)
	if m := mode(db); m != 0o600 {
		t.Errorf("database file mode %v, want 0600", m)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + side); err == nil && mode(db+side) != 0o600 {
			t.Errorf("%s mode %v, want 0600", side, mode(db+side))
		}
	}

	// An existing folder open to others is left alone, with a warning; a
	// database file opened up by hand is closed again.
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	serveUntilHealthy(t, "--data-dir", open)
	if err := os.Chmod(filepath.Join(open, SQLiteFile), 0o644); err != nil {
		t.Fatal(err)
	}
	r, stop := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "", "--data-dir", open)
	waitFor(t, "serve to listen", func() bool { return listeningAddr(r.stderr.String()) != "" })
	stop()
	if !strings.Contains(r.stderr.String(), "the data folder is open to other users") {
		t.Errorf("no warning about the open data folder:\n%s", r.stderr)
	}
	if m := mode(open); m != 0o755 {
		t.Errorf("an existing folder's mode was changed to %v", m)
	}
	if m := mode(filepath.Join(open, SQLiteFile)); m != 0o600 {
		t.Errorf("database file mode %v after serve, want 0600", m)
	}
}

func TestRateFlags(t *testing.T) {
	for in, want := range map[string]config.Rate{
		"10/1m:10":  {Count: 10, Per: time.Minute, Burst: 10},
		"50/s:100":  {Count: 50, Per: time.Second, Burst: 100},
		"20/s":      {Count: 20, Per: time.Second, Burst: 20},
		"3/90s:1":   {Count: 3, Per: 90 * time.Second, Burst: 1},
		"off":       {},
		"1000/1h:5": {Count: 1000, Per: time.Hour, Burst: 5},
	} {
		got, err := parseRate(in)
		if err != nil || got != want {
			t.Errorf("parseRate(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10", "10/", "x/1m", "0/1m", "-1/1m", "10/0s", "10/1m:0", "10/1m:x", "10/forever"} {
		if _, err := parseRate(in); err == nil {
			t.Errorf("parseRate(%q) accepted", in)
		}
	}
	for _, r := range []config.Rate{{Count: 10, Per: time.Minute, Burst: 10}, {Count: 3, Per: 90 * time.Second, Burst: 1}, {}} {
		if back, err := parseRate(formatRate(r)); err != nil || back != r {
			t.Errorf("formatRate(%+v) = %q does not read back (%+v, %v)", r, formatRate(r), back, err)
		}
	}
	if got := formatRate(config.DefaultRateLimits().SignIn); got != "10/1m:10" {
		t.Errorf("default sign-in rate shows as %q", got)
	}

	r := run(t, map[string]string{"ENTRYKEYID_RATE_SIGNIN": "nonsense"}, "serve", "--rate-token", "5/s", "--trusted-proxies", "10.0.0.0/8,bogus")
	for _, want := range []string{"ENTRYKEYID_RATE_SIGNIN", "trusted-proxies:"} {
		if r.code() != 2 || !strings.Contains(r.stderr.String(), want) {
			t.Errorf("bad rate settings: exit %d, stderr lacks %s:\n%s", r.code(), want, r.stderr)
		}
	}
	if h := run(t, nil, "serve", "-h").stderr.String(); !strings.Contains(h, "-rate-signin") || !strings.Contains(h, "default 10/1m:10") ||
		!strings.Contains(h, "-trusted-proxies") || !strings.Contains(h, "-metrics-addr") {
		t.Errorf("serve -h does not show the new flags:\n%s", h)
	}
}
