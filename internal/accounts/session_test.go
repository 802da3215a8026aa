package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func (e *env) start(t *testing.T, a *domain.Account) (string, *domain.Session) {
	t.Helper()
	cookie, sess, err := e.svc.StartSession(context.Background(), a.ID, Meta{IP: "192.0.2.9", UserAgent: "Firefox"})
	if err != nil {
		t.Fatal(err)
	}
	return cookie, sess
}

func (e *env) alive(t *testing.T, cookie string) bool {
	t.Helper()
	_, _, err := e.svc.Session(context.Background(), cookie)
	if err != nil && !domain.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestSSO2_SessionCookieIsRandomAndOnlyItsDigestStored(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	cookie, sess := e.start(t, a)
	other, _ := e.start(t, a)
	if len(cookie) != 43 || cookie == other {
		t.Fatalf("cookies %q, %q: want distinct 256-bit base64url values", cookie, other)
	}
	if sess.ID != digestOf(cookie) || sess.AccountID != a.ID || !sess.CreatedAt.Equal(t0) ||
		!sess.LastSeenAt.Equal(t0) || !sess.ExpiresAt.Equal(t0.Add(12*time.Hour)) || sess.IP != "192.0.2.9" || sess.UserAgent != "Firefox" {
		t.Fatalf("session %+v", sess)
	}
	if _, err := e.store.SessionByID(ctx, cookie); !domain.IsNotFound(err) {
		t.Fatalf("the cookie value is stored in clear (%v)", err)
	}
	got, acct, err := e.svc.Session(ctx, cookie)
	if err != nil || got.ID != sess.ID || acct.ID != a.ID {
		t.Fatalf("Session = %+v, %+v, %v", got, acct, err)
	}
	for _, bad := range []string{"", sess.ID, cookie + "x", "nonsense"} {
		if e.alive(t, bad) {
			t.Errorf("cookie %q gave a session", bad)
		}
	}
}

func TestSSO2_IdleTimeoutAtSixtyMinutes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cookie, sess := e.start(t, e.active(t, "ana@example.com"))

	e.clock.Advance(59*time.Minute + 59*time.Second)
	if !e.alive(t, cookie) {
		t.Fatal("session ended after 59:59 idle")
	}
	if s, _ := e.store.SessionByID(ctx, sess.ID); !s.LastSeenAt.Equal(e.clock.Now()) {
		t.Fatalf("LastSeenAt %v, want touched at %v", s.LastSeenAt, e.clock.Now())
	}
	// Seen at 59:59, so idle starts again from there.
	e.clock.Advance(59*time.Minute + 59*time.Second)
	if !e.alive(t, cookie) {
		t.Fatal("session ended 59:59 after it was last seen")
	}
	e.clock.Advance(60 * time.Minute)
	if e.alive(t, cookie) {
		t.Fatal("session alive after 60:00 idle")
	}
	if s, _ := e.store.SessionByID(ctx, sess.ID); s.EndedAt == nil {
		t.Error("the idle session was not ended in the store")
	}
	e.clock.Advance(-time.Hour)
	if e.alive(t, cookie) {
		t.Error("an ended session came back")
	}
}

func TestSSO2_MaximumLifetimeTwelveHours(t *testing.T) {
	e := newEnv(t)
	cookie, _ := e.start(t, e.active(t, "ana@example.com"))
	for range 14 { // seen every 50 minutes: never idle
		e.clock.Advance(50 * time.Minute)
		if !e.alive(t, cookie) {
			t.Fatalf("session ended at %v while in use", e.clock.Now().Sub(t0))
		}
	}
	e.clock.Set(t0.Add(12*time.Hour - time.Second))
	if !e.alive(t, cookie) {
		t.Fatal("session ended at 11:59:59")
	}
	e.clock.Set(t0.Add(12 * time.Hour))
	if e.alive(t, cookie) {
		t.Fatal("session alive at 12:00:00")
	}
}

func TestSSO2_SessionEndsWithTheAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	cookie, _ := e.start(t, a)
	now := e.clock.Now()
	if err := e.store.SetLock(ctx, a.ID, &now, domain.LockFailedAttempts); err != nil {
		t.Fatal(err)
	}
	if e.alive(t, cookie) {
		t.Error("session of a locked account is alive")
	}
	if err := e.store.SetLock(ctx, a.ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	if !e.alive(t, cookie) {
		t.Fatal("session of an unlocked account is not alive")
	}
	a = e.account(t, "ana@example.com")
	a.Status = domain.StatusDisabled
	if err := e.store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if e.alive(t, cookie) {
		t.Error("session of a disabled account is alive")
	}
}

func TestSSO2_EndSessionRevokesTokensAndAudits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	cookie, sess := e.start(t, a)
	other, _ := e.start(t, a)
	if err := e.store.CreateClient(ctx, &domain.Client{ID: "member", Name: "Member", RedirectURIs: []string{"https://member.example.test/cb"}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	tok := &domain.Token{ID: "rt-digest", Kind: domain.TokenRefresh, FamilyID: "f1", AccountID: a.ID, ClientID: "member",
		SessionID: sess.ID, AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	if err := e.store.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}

	m := Meta{IP: "192.0.2.9", ClientID: "member"}
	e.clock.Advance(time.Minute)
	if err := e.svc.EndSession(ctx, sess.ID, m); err != nil {
		t.Fatal(err)
	}
	if e.alive(t, cookie) {
		t.Fatal("session alive after EndSession")
	}
	if !e.alive(t, other) {
		t.Fatal("EndSession ended another session of the account")
	}
	if got, err := e.store.TokenByID(ctx, tok.ID); err != nil || got.RevokedAt == nil {
		t.Fatalf("token of the ended session: %+v, %v; want revoked", got, err)
	}
	if err := e.svc.EndSession(ctx, sess.ID, m); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
	evs := e.audits(t, domain.AuditSignOut)
	if len(evs) != 1 || evs[0].AccountID != a.ID || evs[0].ClientID != "member" || evs[0].IP != m.IP {
		t.Fatalf("signout events %+v, want one", evs)
	}
	if err := e.svc.EndSession(ctx, "no-such-session", m); !domain.IsNotFound(err) {
		t.Fatalf("EndSession(unknown) = %v, want ENOTFOUND", err)
	}
}
