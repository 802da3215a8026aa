package oidc

import (
	"context"
	"net"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// requestState is per-HTTP-request memory shared by the storage methods
// the library calls while serving one request. It keeps the client and
// account read once per request, and remembers the signing algorithm of
// the client the request is for: the library asks SigningKey(ctx)
// without naming a client, and a request only ever serves one client.
// One request is served by one goroutine, so it needs no lock.
type requestState struct {
	clients  map[string]*domain.Client
	accounts map[string]*domain.Account
	alg      string // signing algorithm of the last client looked up
	ip       string
	// browserDigest is the digest of the browser secret of an /authorize
	// request, for CreateAuthRequest to bind the new request to.
	browserDigest string
}

type requestStateKey struct{}

// withRequestState is an op.HttpInterceptor that gives every request its
// requestState.
func withRequestState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &requestState{ip: remoteIP(r)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestStateKey{}, st)))
	})
}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(requestStateKey{}).(*requestState)
	return st
}

// remoteIP is the peer address without the port. A proxy's real client
// address is the server package's concern; audit records what we see.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
