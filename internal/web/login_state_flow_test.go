package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// resetThroughLink follows the newest recovery link to addr and sets pw.
func (e *env) resetThroughLink(t *testing.T, b *browser, addr, pw string) {
	t.Helper()
	path := e.recoverPath(addr)
	token := strings.TrimPrefix(path, "/recover?token=")
	b.get(path).wantStatus(t, http.StatusOK).wantScreen(t, "reset-password")
	b.post("/recover", url.Values{"token": {token}, "new_password": {pw}, "confirm_password": {pw}}).
		wantStatus(t, http.StatusSeeOther)
}

// PWD-3: an expired password (the clock moved a year), the locked screen,
// Trouble logging in?, the link resets, and the new password signs in.
func TestPWD3_ExpiredPasswordRecoveryResetSignIn(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.clock.Advance(365 * day)
	b := e.browser()
	b.identify("ana@example.test").wantScreen(t, "locked").wantBody(t, "Your password has expired")
	b.trouble("ana@example.test").wantScreen(t, "check-email")
	e.resetThroughLink(t, b, "ana@example.test", resetTo)
	b.signIn("ana@example.test", resetTo, "", false).wantStatus(t, http.StatusSeeOther)
}

// PWD-4: a dormant account unlocks through its link and signs in with its
// old password, and is not locked again at once.
func TestPWD4_DormantAccountUnlocksAndSignsIn(t *testing.T) {
	cfg := config.Default()
	cfg.Issuer = issuer
	cfg.Argon2 = config.Argon2{MemoryKiB: 8192, Iterations: 1, Parallelism: 1}
	cfg.Lifecycle.PasswordMaxAgeMember = 1000 * day
	e := newEnvWith(t, cfg)
	e.activeAccount("ana@example.test", "en")
	e.clock.Advance(400 * day)
	b := e.browser()
	b.identify("ana@example.test").wantScreen(t, "locked").wantBody(t, "not used for a long time")
	b.trouble("ana@example.test").wantScreen(t, "check-email")
	path := e.recoverPath("ana@example.test")
	b.get(path).wantStatus(t, http.StatusOK).wantScreen(t, "recover")
	b.post("/recover", url.Values{"token": {strings.TrimPrefix(path, "/recover?token=")}}).wantStatus(t, http.StatusSeeOther)
	e.clock.Advance(time.Hour)
	b.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
}

// LOGIN-2 and MIG-3: a migrated account gets the recovery email on screen
// 1, resets, and then signs in normally.
func TestLOGIN2_MigratedAccountResetsThenSignsIn(t *testing.T) {
	e := newEnv(t)
	a := e.activeAccount("ana@example.test", "en")
	if err := e.acc.RequireRecovery(context.Background(), a.ID, domain.RecoveryMigrated, ""); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.identify("ana@example.test").wantScreen(t, "check-email")
	e.clock.Advance(time.Minute)
	e.resetThroughLink(t, b, "ana@example.test", resetTo)
	b.signIn("ana@example.test", resetTo, "", false).wantStatus(t, http.StatusSeeOther)
}
