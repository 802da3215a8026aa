package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
	"github.com/entrykeyid/entrykeyid/internal/server"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// Options configure one run.
type Options struct {
	// Config names the store (DataDir or Database), the signing algorithm
	// and the argon2id parameters. With neither DataDir nor Database set,
	// the run uses SQLite in a new temporary folder and removes it after.
	Config config.Config
	// Target is the base URL of a running server to drive; empty starts
	// one in-process on a free loopback port. With a target, Config must
	// name that server's store: the seed is written there.
	Target string

	Users     int           // concurrent virtual users (and seeded accounts)
	Duration  time.Duration // measured time per scenario
	Warmup    time.Duration // unmeasured time before it
	Scenarios string        // comma-separated keys (a..f) or names; empty: all
	// RawDuration is how long each raw rate (argon2id, signing) runs;
	// zero means 3s.
	RawDuration time.Duration
	// CPUProfile, when set, is a file for a CPU profile of this process
	// while the scenarios run (the server too when it is in-process).
	CPUProfile string
	// Progress, when set, receives one line as each phase starts.
	Progress io.Writer
}

// Run seeds the store, measures the raw rates, runs the chosen scenarios
// and returns the report. It fails only when the run could not be set up;
// failed operations are counted in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	scens, err := selectScenarios(o.Scenarios)
	if err != nil {
		return nil, err
	}
	if o.Users < 1 || o.Duration <= 0 || o.Warmup < 0 {
		return nil, errors.New("bench: users must be at least 1 and duration positive")
	}
	if o.RawDuration <= 0 {
		o.RawDuration = 3 * time.Second
	}
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	cfg := o.Config
	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "entrykeyid-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}

	store, err := sqlstore.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("bench: open store: %w", err)
	}
	defer store.Close()
	clock := domain.SystemClock{}

	var base *url.URL
	if o.Target != "" {
		if base, err = url.Parse(o.Target); err != nil || base.Host == "" {
			return nil, fmt.Errorf("bench: target must be an absolute URL, got %q", o.Target)
		}
		if err := store.CheckSchema(ctx); err != nil {
			return nil, err
		}
	} else {
		if err := store.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("bench: migrate: %w", err)
		}
		stop, u, err := startServer(ctx, cfg, store, clock)
		if err != nil {
			return nil, err
		}
		defer stop()
		base = u
	}

	fmt.Fprintf(progress, "seeding %d accounts and two clients\n", o.Users)
	first, second, people, err := seed(ctx, store, password.NewHasher(cfg.Argon2), clock, o.Users)
	if err != nil {
		return nil, err
	}

	r := &Report{
		Target: base.String(), InProcess: o.Target == "", Store: store.Dialect(), SigningAlg: cfg.SigningAlg,
		Argon2: fmt.Sprintf("m=%d,t=%d,p=%d", cfg.Argon2.MemoryKiB, cfg.Argon2.Iterations, cfg.Argon2.Parallelism),
		Users:  o.Users, Duration: o.Duration.String(), Warmup: o.Warmup.String(), GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	fmt.Fprintf(progress, "(g) raw argon2id rate, %s\n", o.RawDuration)
	overall, _ := memory() // the peak so far, before the resets below
	peak := resetPeakRSS()
	c0 := sampleCPU()
	if r.Argon2PerSecond, err = argon2Rate(cfg.Argon2, o.RawDuration); err != nil {
		return nil, fmt.Errorf("bench: argon2 rate: %w", err)
	}
	c1 := sampleCPU()
	r.Argon2CPU[0], r.Argon2CPU[1] = cpuUse(c0, c1)
	if peak {
		r.Argon2PeakRSSMiB, _ = memory()
		overall = max(overall, r.Argon2PeakRSSMiB)
		resetPeakRSS()
	}
	fmt.Fprintf(progress, "(h) raw %s signing rate, %s\n", cfg.SigningAlg, o.RawDuration)
	if r.SignPerSecond, err = signRate(ctx, store, cfg.SigningAlg, o.RawDuration); err != nil {
		return nil, err
	}
	c2 := sampleCPU()
	r.SignCPU[0], r.SignCPU[1] = cpuUse(c1, c2)
	if peak {
		r.SignPeakRSSMiB, _ = memory()
		overall = max(overall, r.SignPeakRSSMiB)
	}

	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * o.Users,
		MaxIdleConnsPerHost: 2 * o.Users,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	ag := &agent{base: base, client: &http.Client{
		Transport:     transport,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	users := make([]*vu, o.Users)
	for i := range users {
		users[i] = &vu{n: i, ag: ag, first: first, second: second, who: people[i]}
	}

	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return nil, fmt.Errorf("bench: cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("bench: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	for _, s := range scens {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fmt.Fprintf(progress, "(%s) %s: %d users, %s warm-up, %s\n", s.Key, s.Name, o.Users, o.Warmup, o.Duration)
		res := runScenario(ctx, s, users, o.Warmup, o.Duration)
		r.Scenarios = append(r.Scenarios, res)
		overall = max(overall, res.PeakRSSMiB)
	}
	r.ratios()
	last, now := memory()
	r.PeakRSSMiB, r.RSSMiB = max(overall, last), now
	return r, nil
}

// startServer serves the identity provider over store on a free loopback
// port, with cfg's issuer set to it, and returns a function that stops it
// and the base URL. Its logs are formatted at cfg.LogLevel, as a real
// server's are, and discarded.
func startServer(ctx context.Context, cfg config.Config, store domain.Store, clock domain.Clock) (func(), *url.URL, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("bench: listen: %w", err)
	}
	cfg.Addr = ln.Addr().String()
	cfg.Issuer = "http://" + cfg.Addr
	cfg.RateLimits = config.LoadTestRateLimits() // every virtual user comes from 127.0.0.1
	if err := cfg.Validate(); err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("bench: configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level(cfg.LogLevel)}))
	sctx, cancel := context.WithCancel(ctx)
	srv, err := server.New(sctx, cfg, store, clock, log)
	if err != nil {
		cancel()
		ln.Close()
		return nil, nil, fmt.Errorf("bench: start server: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.Serve(sctx, ln, srv.Handler(), log)
	}()
	stop := func() {
		cancel()
		<-done
		_ = srv.Close()
	}
	u, _ := url.Parse(cfg.Issuer)
	return stop, u, nil
}

func level(s string) slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(s)) != nil {
		return slog.LevelInfo
	}
	return l
}
