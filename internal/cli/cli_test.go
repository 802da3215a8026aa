package cli

import (
	"bytes"
	"context"
	"flag"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// syncBuffer is a bytes.Buffer safe for a running command and a test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// result is what one run of the command did.
type result struct {
	stdout, stderr *syncBuffer
	err            error
}

func (r result) code() int { return ExitCode(r.err) }

// environ returns a getenv over a map.
func environ(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// run runs the command to completion.
func run(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	r := result{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	r.err = Run(context.Background(), args, environ(vars), strings.NewReader(""), r.stdout, r.stderr)
	return r
}

// start runs a long-running command in the background; stop cancels it
// and returns its result.
func start(t *testing.T, vars map[string]string, args ...string) (r result, stop func() result) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r = result{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, environ(vars), strings.NewReader(""), r.stdout, r.stderr) }()
	stopped := false
	stop = func() result {
		if !stopped {
			stopped = true
			cancel()
			select {
			case r.err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("the command did not stop within 30s of its context ending")
			}
		}
		return r
	}
	t.Cleanup(func() { stop() })
	return r, stop
}

// waitFor polls until cond holds, or fails the test after 20s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConfigFlagBeatsEnvBeatsDefault(t *testing.T) {
	cfg := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := bindServe(fs, &cfg).load(
		[]string{"--addr", "127.0.0.1:9999", "--signing-alg", "ES256", "--argon2-iterations", "3"},
		environ(map[string]string{
			"ENTRYKEYID_ADDR":          "127.0.0.1:7777", // beaten by the flag
			"ENTRYKEYID_ISSUER":        "https://id.example.org",
			"ENTRYKEYID_DATA_DIR":      "/var/lib/entrykeyid",
			"ENTRYKEYID_DATABASE":      "postgres://u@db/ekid",
			"ENTRYKEYID_SMTP":          "smtps://u:p@relay:465",
			"ENTRYKEYID_DEV":           "true",
			"ENTRYKEYID_ARGON2_MEMORY": "65536",
			"ENTRYKEYID_SESSION_IDLE":  "30m",
			"ENTRYKEYID_LOG_LEVEL":     "debug",
		}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Default()
	want.Addr = "127.0.0.1:9999"
	want.Issuer = "https://id.example.org"
	want.DataDir = "/var/lib/entrykeyid"
	want.Database = "postgres://u@db/ekid"
	want.SMTP = "smtps://u:p@relay:465"
	want.Dev = true
	want.SigningAlg = "ES256"
	want.Argon2.MemoryKiB = 65536
	want.Argon2.Iterations = 3
	want.SessionIdle = 30 * time.Minute
	want.LogLevel = "debug"
	if cfg != want {
		t.Errorf("config\n got %+v\nwant %+v", cfg, want)
	}
}

func TestConfigDefaultsWithNothingSet(t *testing.T) {
	cfg := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := bindServe(fs, &cfg).load(nil, environ(nil)); err != nil {
		t.Fatal(err)
	}
	if cfg != config.Default() {
		t.Errorf("with nothing set, config = %+v, want the defaults", cfg)
	}
}

func TestConfigProblemsReportedAllAtOnce(t *testing.T) {
	r := run(t, map[string]string{"ENTRYKEYID_DEV": "maybe"},
		"serve", "--issuer", "ftp://id.example.org", "--database", "mysql://db/x", "--signing-alg", "HS256")
	if r.code() != 2 {
		t.Fatalf("exit code %d, want 2 (err %v)", r.code(), r.err)
	}
	msg := r.err.Error()
	for _, want := range []string{"issuer:", "database:", "signing-alg:", "ENTRYKEYID_DEV:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not name %s:\n%s", want, msg)
		}
	}
	if got := strings.Count(r.stderr.String(), "invalid configuration"); got != 1 {
		t.Errorf("stderr reports %d times, want once:\n%s", got, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"serve", "--no-such-flag"},
		{"serve", "extra-argument"},
		{"client"},
		{"client", "rename"},
	} {
		if r := run(t, nil, args...); r.code() != 2 {
			t.Errorf("%q: exit code %d, want 2 (err %v)", args, r.code(), r.err)
		}
	}
	for _, args := range [][]string{{"help"}, {"serve", "-h"}, {"client", "add", "-h"}} {
		if r := run(t, nil, args...); r.err != nil {
			t.Errorf("%q: %v, want success", args, r.err)
		}
	}
}

func TestServeHelpNamesEveryFlagAndItsEnvironmentVariable(t *testing.T) {
	r := run(t, nil, "serve", "-h")
	for _, want := range []string{"-addr", "-issuer", "-data-dir", "-database", "-smtp", "-dev", "-signing-alg",
		"-log-level", "-mail-from", "-argon2-memory", "entrykeyid migrate"} {
		if !strings.Contains(r.stderr.String(), want) {
			t.Errorf("serve -h does not mention %s", want)
		}
	}
	if !strings.Contains(r.stdout.String()+run(t, nil, "help").stdout.String(), "ENTRYKEYID_DATA_DIR") {
		t.Errorf("help does not explain the environment variables")
	}
}
