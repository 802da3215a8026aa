package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/sqlstore"
)

// The store's share of the hot OpenID Connect operations, on a SQLite
// file as served: what the provider asks of the store for one refresh
// grant, one code exchange and one introspection. Run with
// `go test -run - -bench . -cpu 1,2,8 ./internal/sqlstore`.

// cpuTime returns the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds "cpu-ns/op" to b's results when the benchmark ends: on a
// busy machine the wall time per operation says little.
func reportCPU(b *testing.B) {
	start := cpuTime()
	b.Cleanup(func() {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
}

// requestContext is a context that can be cancelled, as an HTTP
// request's is (the store's work differs for one that cannot).
func requestContext(b *testing.B) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return ctx
}

func randomID() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// benchStore opens a SQLite file with one client, account and session.
func benchStore(b *testing.B) (*sqlstore.DB, *domain.Session) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlstore.OpenSQLite(ctx, filepath.Join(b.TempDir(), "entrykeyid.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Now()
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(db.CreateClient(ctx, &domain.Client{ID: "bench", Name: "Bench", RedirectURIs: []string{"https://b.example/cb"},
		CreatedAt: now}))
	a := &domain.Account{ID: "acct", Email: "a@b.example", EmailKey: "a@b.example", Status: domain.StatusActive,
		CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now}
	must(db.CreateAccount(ctx, a))
	s := &domain.Session{ID: randomID(), AccountID: a.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	must(db.CreateSession(ctx, s))
	return db, s
}

func benchToken(kind string, s *domain.Session, family, authRequest string) *domain.Token {
	now := time.Now()
	return &domain.Token{ID: randomID(), Kind: kind, FamilyID: family, AuthRequestID: authRequest,
		AccountID: s.AccountID, ClientID: "bench", SessionID: s.ID, Scopes: []string{"openid", "profile", "email"},
		Audience: []string{"bench"}, AuthTime: now, AMR: []string{"pwd"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
}

// A refresh grant: read the token, its session, account and client, then
// in one transaction use it, store the new access and refresh tokens and
// touch the session.
func BenchmarkSQLiteRefreshGrant(b *testing.B) {
	db, sess := benchStore(b)
	ctx := requestContext(b)
	b.ResetTimer()
	reportCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		family := randomID()
		cur := benchToken(domain.TokenRefresh, sess, family, "")
		if err := db.CreateToken(ctx, cur); err != nil {
			b.Fatal(err)
		}
		for pb.Next() {
			if _, err := db.TokenByID(ctx, cur.ID); err != nil {
				b.Fatal(err)
			}
			if _, err := db.SessionByID(ctx, sess.ID); err != nil {
				b.Fatal(err)
			}
			if _, err := db.AccountByID(ctx, sess.AccountID); err != nil {
				b.Fatal(err)
			}
			if _, err := db.ClientByID(ctx, "bench"); err != nil {
				b.Fatal(err)
			}
			next := benchToken(domain.TokenRefresh, sess, family, "")
			err := db.InTx(ctx, func(tx domain.Store) error {
				if _, err := tx.UseRefreshToken(ctx, cur.ID, time.Now()); err != nil {
					return err
				}
				if err := tx.CreateToken(ctx, benchToken(domain.TokenAccess, sess, family, "")); err != nil {
					return err
				}
				if err := tx.CreateToken(ctx, next); err != nil {
					return err
				}
				return tx.TouchSession(ctx, sess.ID, time.Now())
			})
			if err != nil {
				b.Fatal(err)
			}
			cur = next
		}
	})
}

// A silent sign-in into a second portal: create the request, read it
// back, complete it, issue its code, find it by code, then in one
// transaction use the code and store an access and a refresh token.
func BenchmarkSQLiteSilentSSO(b *testing.B) {
	db, sess := benchStore(b)
	ctx := requestContext(b)
	b.ResetTimer()
	reportCPU(b)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			now := time.Now()
			r := &domain.AuthRequest{ID: randomID(), ClientID: "bench", RedirectURI: "https://b.example/cb",
				Scopes: []string{"openid", "profile"}, State: "state", Nonce: "nonce", ResponseType: "code",
				CodeChallenge: "challenge", CodeMethod: "S256", CreatedAt: now}
			code := randomID()
			steps := []func() error{
				func() error { return db.CreateAuthRequest(ctx, r) },
				func() error { _, err := db.AuthRequestByID(ctx, r.ID); return err },
				func() error { _, err := db.SessionByID(ctx, sess.ID); return err },
				func() error { _, err := db.AccountByID(ctx, sess.AccountID); return err },
				func() error { return db.TouchSession(ctx, sess.ID, now) },
				func() error { return db.CompleteAuthRequest(ctx, r.ID, sess.AccountID, sess.ID, now) },
				func() error { _, err := db.AuthRequestByID(ctx, r.ID); return err },
				func() error { return db.IssueAuthCode(ctx, r.ID, code, now) },
				func() error { _, err := db.ClientByID(ctx, "bench"); return err },
				func() error { _, err := db.AuthRequestByCode(ctx, code); return err },
				func() error {
					return db.InTx(ctx, func(tx domain.Store) error {
						if _, err := tx.UseAuthCode(ctx, r.ID, now); err != nil {
							return err
						}
						family := randomID()
						if err := tx.CreateToken(ctx, benchToken(domain.TokenAccess, sess, family, r.ID)); err != nil {
							return err
						}
						return tx.CreateToken(ctx, benchToken(domain.TokenRefresh, sess, family, r.ID))
					})
				},
			}
			for _, step := range steps {
				if err := step(); err != nil {
					b.Fatal(err)
				}
			}
			n.Add(1)
		}
	})
}

// An introspection: the token, then its client.
func BenchmarkSQLiteIntrospect(b *testing.B) {
	db, sess := benchStore(b)
	ctx := requestContext(b)
	tok := benchToken(domain.TokenAccess, sess, "", "")
	if err := db.CreateToken(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	reportCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.TokenByID(ctx, tok.ID); err != nil {
				b.Fatal(err)
			}
			if _, err := db.ClientByID(ctx, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
