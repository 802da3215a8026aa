package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var authRequestTests = []suiteTest{
	{"AuthRequest/CreateGet", testAuthRequestCreateGet},
	{"AuthRequest/CompleteAndCode", testAuthRequestComplete},
	{"AuthRequest/CompleteOnlyOnce", testAuthRequestCompleteOnce},
	{"AuthRequest/CompleteConcurrent", testAuthRequestCompleteConcurrent},
	{"AuthRequest/SetAuthCodeOnlyOnce", testSetAuthCodeOnce},
	{"AuthRequest/IssueAuthCode", testIssueAuthCode},
	{"AuthRequest/IssueAuthCodeConcurrent", testIssueAuthCodeConcurrent},
	{"AuthRequest/UseAuthCodeTwice", testUseAuthCodeTwice},
	{"AuthRequest/UseAuthCodeConcurrent", testUseAuthCodeConcurrent},
	{"AuthRequest/DeleteBefore", testDeleteAuthRequests},
	{"AuthRequest/Missing", testAuthRequestMissing},
}

func newAuthRequest(clientID string, created time.Time) *domain.AuthRequest {
	return &domain.AuthRequest{
		ID:            newID("ar"),
		ClientID:      clientID,
		RedirectURI:   "https://member.example/callback",
		Scopes:        []string{"openid", "profile", "email"},
		State:         "st",
		Nonce:         "n-0S6_WzA2Mj",
		ResponseType:  "code",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeMethod:    "S256",
		CreatedAt:     created,
	}
}

func testAuthRequestCreateGet(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	r.ResponseMode = "query"
	r.Prompt = []string{"login", "consent"}
	r.MaxAge = ptr(int64(0))
	r.UILocales = []string{"es", "en"}
	r.LoginHint = "ana@example.com"
	r.BrowserDigest = browserDigest("browser-secret")
	r.CodeIssuedAt = t0.Add(time.Second)
	must(t, s.CreateAuthRequest(ctx, r))
	got, err := s.AuthRequestByID(ctx, r.ID)
	must(t, err)
	equal(t, "stored", got, r)
	equal(t, "bound to its browser", got.BoundTo("browser-secret"), true)
	equal(t, "bound to another browser", got.BoundTo("other-secret"), false)
	equal(t, "bound to no cookie", got.BoundTo(""), false)

	bare := &domain.AuthRequest{ID: newID("ar"), ClientID: c.ID, RedirectURI: "https://x/cb", CreatedAt: t0}
	must(t, s.CreateAuthRequest(ctx, bare))
	got, err = s.AuthRequestByID(ctx, bare.ID)
	must(t, err)
	equal(t, "bare", got, bare)
	equal(t, "bare is bound to no browser", got.BoundTo(""), false)

	wantCode(t, s.CreateAuthRequest(ctx, r), domain.ECONFLICT, "same id")
}

func testAuthRequestComplete(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))

	must(t, s.CompleteAuthRequest(ctx, r.ID, "acct-1", "sess-1", t0.Add(time.Minute)))
	must(t, s.SetAuthCode(ctx, r.ID, "code-digest-1"))
	got, err := s.AuthRequestByCode(ctx, "code-digest-1")
	must(t, err)
	want := *r
	want.AccountID, want.SessionID, want.AuthTime, want.Done = "acct-1", "sess-1", t0.Add(time.Minute), true
	want.CodeDigest = "code-digest-1"
	equal(t, "completed", got, &want)

	_, err = s.AuthRequestByCode(ctx, "other")
	wantCode(t, err, domain.ENOTFOUND, "unknown code")
	_, err = s.AuthRequestByCode(ctx, "")
	wantCode(t, err, domain.ENOTFOUND, "empty code")
}

// An authorization code works once; the second exchange learns it was a
// replay.
func testUseAuthCodeTwice(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))
	must(t, s.SetAuthCode(ctx, r.ID, "digest"))

	first, err := s.UseAuthCode(ctx, r.ID, t0.Add(time.Second))
	must(t, err)
	equal(t, "first use", first, true)
	first, err = s.UseAuthCode(ctx, r.ID, t0.Add(2*time.Second))
	must(t, err)
	equal(t, "second use", first, false)

	got, err := s.AuthRequestByID(ctx, r.ID)
	must(t, err)
	sameTime(t, "used at the first use", got.CodeUsedAt, t0.Add(time.Second))
}

func testUseAuthCodeConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))
	var firsts atomic.Int32
	parallel(20, func(i int) {
		first, err := s.UseAuthCode(ctx, r.ID, t0)
		if err != nil {
			t.Errorf("use %d: %v", i, err)
		}
		if first {
			firsts.Add(1)
		}
	})
	equal(t, "first uses", firsts.Load(), int32(1))
}

func testDeleteAuthRequests(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	old := newAuthRequest(c.ID, t0.Add(-2*time.Hour))
	edge := newAuthRequest(c.ID, t0.Add(-time.Hour))
	fresh := newAuthRequest(c.ID, t0)
	for _, r := range []*domain.AuthRequest{old, edge, fresh} {
		must(t, s.CreateAuthRequest(ctx, r))
	}
	n, err := s.DeleteAuthRequestsBefore(ctx, t0.Add(-time.Hour))
	must(t, err)
	equal(t, "deleted", n, 1)
	_, err = s.AuthRequestByID(ctx, old.ID)
	wantCode(t, err, domain.ENOTFOUND, "old")
	for _, r := range []*domain.AuthRequest{edge, fresh} {
		_, err := s.AuthRequestByID(ctx, r.ID)
		must(t, err)
	}
}

func testAuthRequestMissing(t *testing.T, s domain.Store) {
	ctx := context.Background()
	_, err := s.AuthRequestByID(ctx, "none")
	wantCode(t, err, domain.ENOTFOUND, "get")
	wantCode(t, s.CompleteAuthRequest(ctx, "none", "a", "s", t0), domain.ENOTFOUND, "complete")
	wantCode(t, s.SetAuthCode(ctx, "none", "d"), domain.ENOTFOUND, "set code")
	wantCode(t, s.IssueAuthCode(ctx, "none", "d", t0), domain.ENOTFOUND, "issue code")
	_, err = s.UseAuthCode(ctx, "none", t0)
	wantCode(t, err, domain.ENOTFOUND, "use code")
}

// browserDigest is how the provider stores a browser secret.
func browserDigest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// A request completed once keeps its first sign-in: a second completion,
// by the same or another session, is a conflict and changes nothing.
func testAuthRequestCompleteOnce(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))
	must(t, s.CompleteAuthRequest(ctx, r.ID, "victim", "sess-victim", t0))
	wantCode(t, s.CompleteAuthRequest(ctx, r.ID, "attacker", "sess-attacker", t0.Add(time.Minute)),
		domain.ECONFLICT, "second completion")
	wantCode(t, s.CompleteAuthRequest(ctx, r.ID, "victim", "sess-victim", t0), domain.ECONFLICT, "same completion again")
	got, err := s.AuthRequestByID(ctx, r.ID)
	must(t, err)
	equal(t, "account kept", got.AccountID, "victim")
	equal(t, "session kept", got.SessionID, "sess-victim")
	sameTime(t, "auth time kept", &got.AuthTime, t0)
}

func testAuthRequestCompleteConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))
	var wins atomic.Int32
	winner := make([]bool, 20)
	parallel(20, func(i int) {
		err := s.CompleteAuthRequest(ctx, r.ID, fmt.Sprintf("acct-%d", i), fmt.Sprintf("sess-%d", i), t0)
		switch {
		case err == nil:
			wins.Add(1)
			winner[i] = true
		case !domain.IsConflict(err):
			t.Errorf("complete %d: %v", i, err)
		}
	})
	equal(t, "completions", wins.Load(), int32(1))
	got, err := s.AuthRequestByID(ctx, r.ID)
	must(t, err)
	for i, won := range winner {
		if won {
			equal(t, "the winner's account", got.AccountID, fmt.Sprintf("acct-%d", i))
			equal(t, "the winner's session", got.SessionID, fmt.Sprintf("sess-%d", i))
		}
	}
}

func testSetAuthCodeOnce(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))
	must(t, s.SetAuthCode(ctx, r.ID, "first"))
	wantCode(t, s.SetAuthCode(ctx, r.ID, "second"), domain.ECONFLICT, "second code")
	got, err := s.AuthRequestByID(ctx, r.ID)
	must(t, err)
	equal(t, "first code kept", got.CodeDigest, "first")
}

// IssueAuthCode sets the code and its time once, and only on a request
// that is done.
func testIssueAuthCode(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))
	wantCode(t, s.IssueAuthCode(ctx, r.ID, "early", t0), domain.ECONFLICT, "code before sign-in")
	got, err := s.AuthRequestByID(ctx, r.ID)
	must(t, err)
	equal(t, "no code before sign-in", got.CodeDigest, "")

	must(t, s.CompleteAuthRequest(ctx, r.ID, "acct-1", "sess-1", t0))
	must(t, s.IssueAuthCode(ctx, r.ID, "code-1", t0.Add(sec(5))))
	wantCode(t, s.IssueAuthCode(ctx, r.ID, "code-2", t0.Add(sec(6))), domain.ECONFLICT, "second code")
	got, err = s.AuthRequestByCode(ctx, "code-1")
	must(t, err)
	equal(t, "request", got.ID, r.ID)
	sameTime(t, "issued at", &got.CodeIssuedAt, t0.Add(sec(5)))
	_, err = s.AuthRequestByCode(ctx, "code-2")
	wantCode(t, err, domain.ENOTFOUND, "second code")
}

func testIssueAuthCodeConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	c := createClient(t, s)
	r := newAuthRequest(c.ID, t0)
	must(t, s.CreateAuthRequest(ctx, r))
	must(t, s.CompleteAuthRequest(ctx, r.ID, "acct-1", "sess-1", t0))
	var wins atomic.Int32
	parallel(20, func(i int) {
		err := s.IssueAuthCode(ctx, r.ID, fmt.Sprintf("code-%d", i), t0)
		switch {
		case err == nil:
			wins.Add(1)
		case !domain.IsConflict(err):
			t.Errorf("issue %d: %v", i, err)
		}
	})
	equal(t, "codes issued", wins.Load(), int32(1))
}
