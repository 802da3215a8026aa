package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// TestBench_EveryScenarioCompletes runs the whole bench in-process on
// SQLite for a moment with cheap argon2id parameters: every scenario must
// finish operations and none may fail. It is also an end-to-end check of
// the flows over HTTP: identity-first sign-in, silent SSO, refresh
// rotation, userinfo, introspection, discovery and JWKS.
func TestBench_EveryScenarioCompletes(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			cfg.SigningAlg = alg
			cfg.Argon2 = config.Argon2{MemoryKiB: 8 * 1024, Iterations: 1, Parallelism: 1}
			cfg.LogLevel = "warn"
			var progress bytes.Buffer
			r, err := Run(context.Background(), Options{
				Config: cfg, Users: 2, Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond,
				RawDuration: 100 * time.Millisecond, Progress: &progress,
			})
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, progress.String())
			}
			if len(r.Scenarios) != 6 {
				t.Fatalf("ran %d scenarios, want 6", len(r.Scenarios))
			}
			for _, s := range r.Scenarios {
				if s.Ops < 1 || s.Errors != 0 {
					t.Errorf("(%s) %s: %d ops, %d errors, first error: %s", s.Key, s.Name, s.Ops, s.Errors, s.FirstError)
				}
			}
			if r.Argon2PerSecond <= 0 || r.SignPerSecond <= 0 || r.SignInRatio <= 0 || r.SSORatio <= 0 {
				t.Errorf("raw rates and ratios missing: %+v", r)
			}
			var table, js bytes.Buffer
			if err := r.WriteTable(&table); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(table.String(), "(b) silent-sso") || !strings.Contains(table.String(), "resident memory") {
				t.Errorf("table lacks rows:\n%s", table.String())
			}
			if err := r.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			var back Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Scenarios) != 6 {
				t.Errorf("JSON does not round-trip: %v\n%s", err, js.String())
			}
			t.Logf("\n%s", table.String())
		})
	}
}

func TestBench_SelectScenarios(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		bad  bool
	}{
		{in: "", want: "abcdef"},
		{in: "a,c", want: "ac"},
		{in: "refresh, silent-sso", want: "bc"},
		{in: "f,f", want: "f"},
		{in: "z", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			s, err := selectScenarios(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			var got string
			for _, x := range s {
				got += x.Key
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestBench_ParseForms(t *testing.T) {
	page := `<html><main data-screen="password"><form method="get" action="/lang"><select name="l"></select></form>
<form method="post" action="/login/password?authRequestID=x&amp;y=1">
<input type="hidden" name="csrf_token" value="a&amp;b">
<input type="hidden" name='username' value="ana@example.org">
<input type=password name=password>
<input type="checkbox" name="remember_me" value="1">
<button id="submit" type="submit" name="action" value="next">Next</button></form></main>`
	if got := screenName(page); got != "password" {
		t.Errorf("screen %q", got)
	}
	f, ok := findForm(parseForms(page), "password")
	if !ok {
		t.Fatal("no password form")
	}
	if f.Action != "/login/password?authRequestID=x&y=1" || f.Fields.Get("csrf_token") != "a&b" ||
		f.Fields.Get("username") != "ana@example.org" || f.Fields.Has("remember_me") ||
		len(f.Button) != 2 || f.Button[0] != "action" {
		t.Errorf("form %+v", f)
	}
}

func TestBench_Percentiles(t *testing.T) {
	var a, b latencies
	for i := 1; i <= 100; i++ {
		if i%2 == 0 {
			a = append(a, time.Duration(i)*time.Millisecond)
		} else {
			b = append(b, time.Duration(i)*time.Millisecond)
		}
	}
	s := summarize([]latencies{a, b})
	if s.N != 100 || s.P50 != 50*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Errorf("%+v", s)
	}
	if (summarize(nil) != summary{}) {
		t.Error("empty summary not zero")
	}
}
