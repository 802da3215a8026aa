package oidc

import (
	"flag"
	"net/http"
	"path/filepath"
	"testing"

	"golang.org/x/oauth2"
)

// BenchmarkSilentSSO measures the second-portal flow of issue 2's speed
// targets, in process: authorize with a live session, the login redirect,
// the callback, and the code exchange with PKCE, signed ES256 or RS256,
// over a SQLite file. It reports flows per second.
func BenchmarkSilentSSO(b *testing.B) {
	for _, alg := range []string{AlgES256, AlgRS256} {
		b.Run(alg, func(b *testing.B) {
			h := newHarness(b, withAlg(alg), withFileStore(benchDB(b)))
			r := h.portalRP()
			r.oauth.Scopes = []string{"openid", "profile", "email"}
			r.signIn() // starts the session
			transport := &http.Transport{MaxIdleConnsPerHost: 64}
			b.Cleanup(transport.CloseIdleConnections)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				browser := h.browser()
				browser.Transport = transport
				ctx := oauth2ClientContext(h, transport)
				for pb.Next() {
					verifier := oauth2.GenerateVerifier()
					resp, err := browser.Get(r.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
					loc, err := resp.Location()
					if err != nil {
						b.Errorf("no redirect: %d", resp.StatusCode)
						return
					}
					if _, err := r.oauth.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}

// benchDB is a SQLite file, or the in-memory database with -memdb.
func benchDB(b *testing.B) string {
	if *memDB {
		return ":memory:"
	}
	return filepath.Join(b.TempDir(), "bench.db")
}

var memDB = flag.Bool("memdb", false, "run benchmarks on in-memory SQLite")
