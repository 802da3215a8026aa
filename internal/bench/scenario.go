package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// scenario is one measured kind of operation. prepare runs untimed before
// the scenario starts and again after a failed operation (so a broken
// refresh chain is mended); op is the measured operation.
type scenario struct {
	Key     string
	Name    string
	prepare func(ctx context.Context, u *vu) error
	op      func(ctx context.Context, u *vu) error
}

// vu is one virtual user: a browser with its own cookies and account.
type vu struct {
	n       int
	ag      *agent
	first   portal // the portal of the password sign-in
	second  portal // the portal entered by single sign-on
	who     account
	browser *http.Client // holds the SSO session after the first sign-in
	tok     tokens       // the user's latest tokens from the second portal
	flip    bool
}

// scenarios lists a..f in order.
func scenarios() []scenario {
	return []scenario{
		{Key: "a", Name: "password-signin", op: func(ctx context.Context, u *vu) error {
			// A fresh browser each time: screen 1, screen 2, code exchange.
			_, err := u.ag.signIn(ctx, u.ag.withJar(newJar()), u.first, &u.who)
			return err
		}},
		{Key: "b", Name: "silent-sso", prepare: session, op: func(ctx context.Context, u *vu) error {
			_, err := u.ag.signIn(ctx, u.browser, u.second, nil)
			if err != nil {
				u.browser = nil // sign in again before the next try
			}
			return err
		}},
		{Key: "c", Name: "refresh", prepare: freshTokens, op: func(ctx context.Context, u *vu) error {
			t, err := u.ag.refresh(ctx, u.second, u.tok.RefreshToken)
			if err == nil {
				u.tok = t
			}
			return err
		}},
		{Key: "d", Name: "userinfo", prepare: freshTokens, op: func(ctx context.Context, u *vu) error {
			return u.ag.userinfo(ctx, u.tok.AccessToken)
		}},
		{Key: "e", Name: "introspect", prepare: freshTokens, op: func(ctx context.Context, u *vu) error {
			return u.ag.introspect(ctx, u.second, u.tok.AccessToken)
		}},
		{Key: "f", Name: "discovery-jwks", op: func(ctx context.Context, u *vu) error {
			// One request per operation, discovery and JWKS in turn.
			u.flip = !u.flip
			if u.flip {
				return u.ag.getJSON(ctx, "/.well-known/openid-configuration")
			}
			return u.ag.getJSON(ctx, "/keys")
		}},
	}
}

func session(ctx context.Context, u *vu) error     { return u.session(ctx) }
func freshTokens(ctx context.Context, u *vu) error { return u.freshTokens(ctx) }

// selectScenarios picks scenarios by key or name from a comma-separated
// list; empty means all.
func selectScenarios(list string) ([]scenario, error) {
	all := scenarios()
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	want := map[string]bool{}
	for _, w := range strings.Split(list, ",") {
		w = strings.TrimSpace(w)
		found := false
		for _, s := range all {
			if w == s.Key || w == s.Name {
				want[s.Key], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("bench: unknown scenario %q (want a..f or %s)", w, scenarioNames(all))
		}
	}
	var out []scenario
	for _, s := range all {
		if want[s.Key] {
			out = append(out, s)
		}
	}
	return out, nil
}

func scenarioNames(all []scenario) string {
	var n []string
	for _, s := range all {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}

// session signs the user in once with the password, if no session is
// held yet, keeping the browser and its session cookie.
func (u *vu) session(ctx context.Context) error {
	if u.browser != nil {
		return nil
	}
	b := u.ag.withJar(newJar())
	if _, err := u.ag.signIn(ctx, b, u.first, &u.who); err != nil {
		return fmt.Errorf("prepare sign-in: %w", err)
	}
	u.browser = b
	return nil
}

// freshTokens gets new tokens for the second portal by single sign-on.
func (u *vu) freshTokens(ctx context.Context) error {
	if err := u.session(ctx); err != nil {
		return err
	}
	t, err := u.ag.signIn(ctx, u.browser, u.second, nil)
	if err != nil {
		u.browser = nil
		return fmt.Errorf("prepare tokens: %w", err)
	}
	u.tok = t
	return nil
}

// Result is the outcome of one scenario.
type Result struct {
	Key        string  `json:"key"`
	Name       string  `json:"name"`
	Ops        int     `json:"ops"`
	Errors     int     `json:"errors"`
	PerSecond  float64 `json:"per_second"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
	// Cores kept busy during the measured window by this process (the
	// generator, and the server when in-process) and by all others.
	CPUSelf   float64 `json:"cpu_self"`
	CPUOthers float64 `json:"cpu_others"`
	// PeakRSSMiB is this process's peak resident memory from the start
	// of the warm-up to the end; zero where it cannot be told apart.
	PeakRSSMiB float64 `json:"peak_rss_mib"`
}

// runScenario prepares every user, then lets all of them loop on s.op:
// through the warm-up, then the measured window of the given duration,
// after which no user starts another operation and those in flight
// finish. Every operation that ends after the warm-up counts, with its
// latency; throughput is their number over the time from the end of the
// warm-up to the last of them (at least duration). So a slow operation
// (a password sign-in on a loaded machine) is never dropped for
// outlasting a short window. Errors count from the start of the warm-up.
func runScenario(ctx context.Context, s scenario, users []*vu, warmup, duration time.Duration) Result {
	res := Result{Key: s.Key, Name: s.Name}
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		res.Errors++
		if res.FirstError == "" {
			res.FirstError = err.Error()
		}
		mu.Unlock()
	}
	ready := make([]bool, len(users))
	var wg sync.WaitGroup
	if s.prepare != nil {
		for i, u := range users {
			wg.Go(func() {
				if err := s.prepare(ctx, u); err != nil {
					fail(err)
					return
				}
				ready[i] = true
			})
		}
		wg.Wait()
	} else {
		for i := range ready {
			ready[i] = true
		}
	}

	lat := make([]latencies, len(users))
	last := make([]time.Time, len(users)) // each user's last counted completion
	peak := resetPeakRSS()
	from := time.Now().Add(warmup)
	end := from.Add(duration)
	for i, u := range users {
		if !ready[i] {
			continue
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				err := s.op(ctx, u)
				t1 := time.Now()
				if err != nil {
					fail(err)
					if s.prepare != nil {
						if err := s.prepare(ctx, u); err != nil {
							fail(err)
							time.Sleep(10 * time.Millisecond)
						}
					}
					continue
				}
				if !t1.Before(from) {
					lat[i] = append(lat[i], t1.Sub(t0))
					last[i] = t1
				}
			}
		})
	}
	time.Sleep(time.Until(from))
	c0 := sampleCPU()
	wg.Wait()
	c1 := sampleCPU()
	res.CPUSelf, res.CPUOthers = cpuUse(c0, c1)
	if peak {
		res.PeakRSSMiB, _ = memory()
	}
	window := end
	for _, t := range last {
		if t.After(window) {
			window = t
		}
	}
	sum := summarize(lat)
	res.Ops = sum.N
	res.PerSecond = float64(sum.N) / window.Sub(from).Seconds()
	res.P50ms, res.P99ms, res.MaxMs = ms(sum.P50), ms(sum.P99), ms(sum.Max)
	return res
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
