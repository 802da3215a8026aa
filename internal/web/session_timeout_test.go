package web

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestSSO2_SilentSignInAtTheIdleBoundary: a session last used 59:59 ago
// still signs the person in to another portal with no prompt (and counts
// as used); one idle for 60:00 does not, and screen 1 is shown.
func TestSSO2_SilentSignInAtTheIdleBoundary(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)

	e.clock.Advance(59*time.Minute + 59*time.Second)
	e.authRequest("ar-alive", nil, nil)
	r := b.get("/login?authRequestID=ar-alive").wantStatus(t, http.StatusFound)
	if got := r.Header.Get("Location"); got != issuer+"/authorize/callback?id=ar-alive" {
		t.Fatalf("at 59:59 idle: Location %q, want the silent callback", got)
	}
	// Used at 59:59: idle counts from there.
	e.clock.Advance(59*time.Minute + 59*time.Second)
	e.authRequest("ar-again", nil, nil)
	b.get("/login?authRequestID=ar-again").wantStatus(t, http.StatusFound)

	e.clock.Advance(60 * time.Minute)
	e.authRequest("ar-idle", nil, nil)
	b.get("/login?authRequestID=ar-idle").wantStatus(t, http.StatusOK).wantScreen(t, "identify")
}

// TestSSO2_SilentSignInAtTheMaximumLifetime: a session kept busy lives
// until 12 h after sign-in and not a second longer.
func TestSSO2_SilentSignInAtTheMaximumLifetime(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	step := 50 * time.Minute
	elapsed := time.Duration(0)
	for i := 0; elapsed+step < e.cfg.SessionMax; i++ {
		e.clock.Advance(step)
		elapsed += step
		id := fmt.Sprintf("ar-%d", i)
		e.authRequest(id, nil, nil)
		b.get("/login?authRequestID="+id).wantStatus(t, http.StatusFound)
	}
	e.clock.Advance(e.cfg.SessionMax - elapsed - time.Second)
	e.authRequest("ar-last", nil, nil)
	b.get("/login?authRequestID=ar-last").wantStatus(t, http.StatusFound)
	e.clock.Advance(time.Second)
	e.authRequest("ar-over", nil, nil)
	b.get("/login?authRequestID=ar-over").wantStatus(t, http.StatusOK).wantScreen(t, "identify")
}

// TestSSO2_AccountPageAtTheIdleBoundary: the account page is the
// session's too.
func TestSSO2_AccountPageAtTheIdleBoundary(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	e.clock.Advance(59*time.Minute + 59*time.Second)
	b.get("/account").wantStatus(t, http.StatusOK)
	e.clock.Advance(60 * time.Minute)
	b.get("/account").wantStatus(t, http.StatusFound)
}
