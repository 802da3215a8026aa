package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var linkTests = []suiteTest{
	{"Link/CreateGetUseOnce", testLinkUseOnce},
	{"Link/ExpiryBoundary", testLinkExpiryBoundary},
	{"Link/ConcurrentUseOnce", testLinkConcurrentUse},
	{"Link/Missing", testLinkMissing},
	{"Link/VoidLinks", testVoidLinks},
	{"Link/SwapData", testLinkSwapData},
	{"Link/SwapDataConcurrentOnce", testLinkSwapDataConcurrent},
	{"Link/Latest", testLatestLink},
}

func newLink(accountID, purpose string, ttl time.Duration) *domain.Link {
	return &domain.Link{
		Digest:    newID("digest"),
		Purpose:   purpose,
		AccountID: accountID,
		Data:      "new@example.com",
		CreatedAt: t0,
		ExpiresAt: t0.Add(ttl),
	}
}

func testLinkUseOnce(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	l := newLink(a.ID, domain.LinkActivate, time.Hour)
	must(t, s.CreateLink(ctx, l))
	got, err := s.LinkByDigest(ctx, l.Digest)
	must(t, err)
	equal(t, "stored", got, l)

	used, err := s.UseLink(ctx, l.Digest, t0.Add(time.Minute))
	must(t, err)
	want := *l
	want.UsedAt = ptr(t0.Add(time.Minute))
	equal(t, "used", used, &want)

	_, err = s.UseLink(ctx, l.Digest, t0.Add(2*time.Minute))
	wantCode(t, err, domain.ENOTFOUND, "second use")
	got, err = s.LinkByDigest(ctx, l.Digest)
	must(t, err)
	equal(t, "after second use", got, &want)

	wantCode(t, s.CreateLink(ctx, l), domain.ECONFLICT, "same digest")
}

// A link with a one-hour life works at 59:59 and is refused at 60:00.
func testLinkExpiryBoundary(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	early := newLink(a.ID, domain.LinkActivate, time.Hour)
	late := newLink(a.ID, domain.LinkActivate, time.Hour)
	must(t, s.CreateLink(ctx, early))
	must(t, s.CreateLink(ctx, late))

	_, err := s.UseLink(ctx, early.Digest, t0.Add(time.Hour-time.Second))
	must(t, err)

	_, err = s.UseLink(ctx, late.Digest, t0.Add(time.Hour))
	wantCode(t, err, domain.ENOTFOUND, "use at expiry")
	got, err := s.LinkByDigest(ctx, late.Digest)
	must(t, err)
	if got.UsedAt != nil {
		t.Fatalf("expired link marked used at %v", got.UsedAt)
	}
}

func testLinkConcurrentUse(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	l := newLink(a.ID, domain.LinkRecover, time.Hour)
	must(t, s.CreateLink(ctx, l))
	var wins, refused int32
	results := make(chan string, 10)
	parallel(10, func(int) {
		_, err := s.UseLink(ctx, l.Digest, t0)
		results <- domain.ErrorCode(err)
	})
	close(results)
	for code := range results {
		switch code {
		case "":
			wins++
		case domain.ENOTFOUND:
			refused++
		default:
			t.Fatalf("use: %s", code)
		}
	}
	equal(t, "uses that worked", wins, int32(1))
	equal(t, "uses refused", refused, int32(9))
}

func testLinkMissing(t *testing.T, s domain.Store) {
	ctx := context.Background()
	_, err := s.LinkByDigest(ctx, "nothing")
	wantCode(t, err, domain.ENOTFOUND, "get")
	_, err = s.UseLink(ctx, "nothing", t0)
	wantCode(t, err, domain.ENOTFOUND, "use")
}

func testVoidLinks(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	b := createAccount(t, s)
	act1 := newLink(a.ID, domain.LinkActivate, time.Hour)
	act2 := newLink(a.ID, domain.LinkActivate, time.Hour)
	rec := newLink(a.ID, domain.LinkRecover, time.Hour)
	used := newLink(a.ID, domain.LinkActivate, time.Hour)
	used.UsedAt = ptr(t0)
	others := newLink(b.ID, domain.LinkActivate, time.Hour)
	for _, l := range []*domain.Link{act1, act2, rec, used, others} {
		must(t, s.CreateLink(ctx, l))
	}
	usedAt := func(l *domain.Link) *time.Time {
		t.Helper()
		got, err := s.LinkByDigest(ctx, l.Digest)
		must(t, err)
		return got.UsedAt
	}

	must(t, s.VoidLinks(ctx, a.ID, domain.LinkActivate, t0.Add(time.Minute)))
	sameTime(t, "activate 1", usedAt(act1), t0.Add(time.Minute))
	sameTime(t, "activate 2", usedAt(act2), t0.Add(time.Minute))
	sameTime(t, "already used keeps its time", usedAt(used), t0)
	if usedAt(rec) != nil || usedAt(others) != nil {
		t.Fatal("voided a link of another purpose or account")
	}

	must(t, s.VoidLinks(ctx, a.ID, "", t0.Add(2*time.Minute)))
	sameTime(t, "recover", usedAt(rec), t0.Add(2*time.Minute))
	sameTime(t, "activate keeps first void", usedAt(act1), t0.Add(time.Minute))
	if usedAt(others) != nil {
		t.Fatal("voided another account's link")
	}
	_, err := s.UseLink(ctx, act2.Digest, t0)
	wantCode(t, err, domain.ENOTFOUND, "use voided")
}

// SwapLinkData replaces the data only while it is unchanged and the link
// is usable.
func testLinkSwapData(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	l := newLink(a.ID, domain.LinkActivate, time.Hour)
	must(t, s.CreateLink(ctx, l))
	data := func() string {
		t.Helper()
		got, err := s.LinkByDigest(ctx, l.Digest)
		must(t, err)
		return got.Data
	}

	must(t, s.SwapLinkData(ctx, l.Digest, l.Data, `{"n":1}`, t0))
	equal(t, "after a swap", data(), `{"n":1}`)
	wantCode(t, s.SwapLinkData(ctx, l.Digest, l.Data, `{"n":2}`, t0), domain.ENOTFOUND, "stale data")
	equal(t, "after a stale swap", data(), `{"n":1}`)
	wantCode(t, s.SwapLinkData(ctx, l.Digest, `{"n":1}`, `{"n":2}`, t0.Add(time.Hour)), domain.ENOTFOUND, "at expiry")
	must(t, s.SwapLinkData(ctx, l.Digest, `{"n":1}`, `{"n":2}`, t0.Add(time.Hour-time.Second)))
	equal(t, "before expiry", data(), `{"n":2}`)

	_, err := s.UseLink(ctx, l.Digest, t0)
	must(t, err)
	wantCode(t, s.SwapLinkData(ctx, l.Digest, `{"n":2}`, `{"n":3}`, t0), domain.ENOTFOUND, "used link")
	wantCode(t, s.SwapLinkData(ctx, "nothing", "", "x", t0), domain.ENOTFOUND, "missing link")
	equal(t, "after refused swaps", data(), `{"n":2}`)
}

// Of many swaps from the same data at once, exactly one wins.
func testLinkSwapDataConcurrent(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	l := newLink(a.ID, domain.LinkActivate, time.Hour)
	must(t, s.CreateLink(ctx, l))
	results := make(chan string, 10)
	parallel(10, func(i int) {
		results <- domain.ErrorCode(s.SwapLinkData(ctx, l.Digest, l.Data, newID("data"), t0))
	})
	close(results)
	wins := 0
	for code := range results {
		switch code {
		case "":
			wins++
		case domain.ENOTFOUND:
		default:
			t.Fatalf("swap: %s", code)
		}
	}
	equal(t, "swaps that worked", wins, 1)
}

// LatestLink returns the newest link of the account with the purpose,
// whether used or not.
func testLatestLink(t *testing.T, s domain.Store) {
	ctx := context.Background()
	a := createAccount(t, s)
	b := createAccount(t, s)
	_, err := s.LatestLink(ctx, a.ID, domain.LinkActivate)
	wantCode(t, err, domain.ENOTFOUND, "no links")

	first := newLink(a.ID, domain.LinkActivate, time.Hour)
	newest := newLink(a.ID, domain.LinkActivate, time.Hour)
	newest.CreatedAt, newest.UsedAt = t0.Add(time.Minute), ptr(t0.Add(time.Minute))
	otherPurpose := newLink(a.ID, domain.LinkRecover, time.Hour)
	otherPurpose.CreatedAt = t0.Add(time.Hour)
	otherAccount := newLink(b.ID, domain.LinkActivate, time.Hour)
	otherAccount.CreatedAt = t0.Add(time.Hour)
	for _, l := range []*domain.Link{first, newest, otherPurpose, otherAccount} {
		must(t, s.CreateLink(ctx, l))
	}
	got, err := s.LatestLink(ctx, a.ID, domain.LinkActivate)
	must(t, err)
	equal(t, "latest", got, newest)
}
