package cli

import (
	"context"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/bench"
	"github.com/entrykeyid/entrykeyid/internal/config"
)

const benchAbout = `Drives an identity provider over HTTP with concurrent virtual users and
prints, per scenario, operations, errors, throughput and p50/p99 latency:
  (a) password-signin  /authorize, screen 1, screen 2, callback, code exchange
  (b) silent-sso       /authorize into a second portal with a live session, code exchange
  (c) refresh          refresh grant, rotating
  (d) userinfo         /userinfo with a bearer access token
  (e) introspect       /oauth/introspect (client_secret_basic)
  (f) discovery-jwks   discovery and JWKS GETs, in turn
In the same run it measures the raw argon2id rate (g) at the configured
parameters and the raw signing rate (h) of the configured algorithm, on
every core, and prints (a)/(g) and (b)/(h), and the resident memory.

By default it serves the provider in-process on a free loopback port over the
store the storage flags name (SQLite in a new temporary folder when neither is
given). With --target it drives a running server instead; the storage flags
must then name that server's store. Either way it first seeds, through the
store, two clients (bench-member, bench-provider) and one active account per
virtual user (bench-NNNN@bench.entrykeyid.test).

Every virtual user comes from one address, far above the per-address rate
limits of a default server (docs/SECURITY.md): the in-process server is started
with limits no load generator reaches. A --target server must be started with
its limits raised or off for the run, e.g.
  entrykeyid serve --rate-signin off --rate-authorize off --rate-token off --rate-token-client off`

func runBench(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	cfg.DataDir = "(a temporary folder)" // replaced below unless given
	fs := newFlagSet(e, "bench", "bench [flags]", benchAbout)
	c := bindStorage(fs, &cfg)
	c.str(&cfg.SigningAlg, "signing-alg", "ID token signing algorithm of the in-process server: RS256 or ES256")
	c.value(&uintValue[uint32]{&cfg.Argon2.MemoryKiB}, "argon2-memory", "argon2id memory in KiB")
	c.value(&uintValue[uint32]{&cfg.Argon2.Iterations}, "argon2-iterations", "argon2id iterations")
	c.value(&uintValue[uint8]{&cfg.Argon2.Parallelism}, "argon2-parallelism", "argon2id parallelism")
	c.str(&cfg.LogLevel, "log-level", "level of the in-process server's logs (formatted, then discarded)")
	o := bench.Options{}
	fs.StringVar(&o.Target, "target", "", "base URL of a running server to drive instead of an in-process one")
	fs.IntVar(&o.Users, "users", 32, "concurrent virtual users")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured warm-up before each scenario")
	fs.StringVar(&o.Scenarios, "scenarios", "a,b,c,d,e,f", "scenarios to run, by letter or name, comma-separated")
	fs.DurationVar(&o.RawDuration, "raw-duration", 3*time.Second, "how long each raw rate (argon2id, signing) is measured")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of this process (and the in-process server) during the scenarios")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if err := c.load(args, e.getenv); err != nil {
		return err
	}
	if !c.isSet("data-dir") {
		if o.Target != "" && !c.isSet("database") {
			return usageErrorf("bench: --target needs --data-dir or --database naming that server's store")
		}
		cfg.DataDir = ""
	}
	o.Config, o.Progress = cfg, e.stderr
	r, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	if *asJSON {
		return r.WriteJSON(e.stdout)
	}
	return r.WriteTable(e.stdout)
}
