package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const day = 24 * time.Hour

// modes runs fn with enumeration protection standard and strict.
func modes(t *testing.T, fn func(t *testing.T, e *env, strict bool)) {
	modesWith(t, func(*config.Config) {}, fn)
}

// modesWith is modes with a configuration change.
func modesWith(t *testing.T, tweak func(*config.Config), fn func(t *testing.T, e *env, strict bool)) {
	for _, mode := range []string{config.EnumerationStandard, config.EnumerationStrict} {
		t.Run(mode, func(t *testing.T) {
			cfg := config.Default()
			cfg.Issuer = issuer
			cfg.Argon2 = config.Argon2{MemoryKiB: 8192, Iterations: 1, Parallelism: 1}
			cfg.Lifecycle.EnumerationProtection = mode
			tweak(&cfg)
			fn(t, newEnvWith(t, cfg), mode == config.EnumerationStrict)
		})
	}
}

// identify posts screen 1 for addr.
func (b *browser) identify(addr string) *response {
	b.e.t.Helper()
	return b.post("/login", url.Values{"username": {addr}})
}

// password posts screen 2 for addr.
func (b *browser) password(addr, pw string) *response {
	b.e.t.Helper()
	return b.post("/login/password", url.Values{"username": {addr}, "password": {pw}})
}

// stateShown checks the state screen of addr: on screen 1 (standard), or
// only after the correct password (strict), where a wrong password gets
// the same "not correct" answer as an unknown address.
func stateShown(t *testing.T, e *env, strict bool, addr, screen string, body ...string) *response {
	t.Helper()
	b := e.browser()
	if !strict {
		return b.identify(addr).wantScreen(t, screen).wantBody(t, body...)
	}
	b.identify(addr).wantStatus(t, http.StatusOK).wantScreen(t, "password")
	b.password(addr, "Wrong-Password-1").wantStatus(t, http.StatusUnauthorized).wantScreen(t, "password").
		wantBody(t, "The email address or password is not correct.")
	return b.password(addr, goodPassword).wantScreen(t, screen).wantBody(t, body...)
}

func TestLOGIN2_ActiveGoesToScreen2(t *testing.T) {
	modes(t, func(t *testing.T, e *env, strict bool) {
		e.activeAccount("ana@example.test", "en")
		b := e.browser()
		b.identify("ana@example.test").wantStatus(t, http.StatusOK).wantScreen(t, "password")
		b.password("ana@example.test", goodPassword).wantStatus(t, http.StatusSeeOther)
	})
}

func TestLOGIN2_UnknownAddressSameAsActive(t *testing.T) {
	modes(t, func(t *testing.T, e *env, strict bool) {
		e.activeAccount("ana@example.test", "en")
		page := func(addr string) string {
			b := e.browser()
			r := b.identify(addr)
			r.wantStatus(t, http.StatusOK).wantScreen(t, "password")
			return strings.ReplaceAll(normalize(b, r.body), addr, "ADDRESS")
		}
		if known, unknown := page("ana@example.test"), page("nobody@example.test"); known != unknown {
			t.Errorf("screen 2 of an unknown address differs from an active one's:\n%s\n---\n%s", excerpt(known), excerpt(unknown))
		}
	})
}

func TestLOGIN2_LockedShowsTroubleLoggingIn(t *testing.T) {
	modes(t, func(t *testing.T, e *env, strict bool) {
		e.activeAccount("ana@example.test", "en")
		e.lock("ana@example.test")
		r := stateShown(t, e, strict, "ana@example.test", "locked",
			"too many failed sign-in attempts", `id="trouble"`, `action="`+issuer+`/trouble"`)
		r.wantStatus(t, http.StatusForbidden)
		// Its button sends the recovery email.
		b := e.browser()
		b.post("/trouble", url.Values{"username": {"ana@example.test"}}).wantScreen(t, "check-email")
		if len(e.sentTo("ana@example.test", accounts.TemplateRecover)) != 1 {
			t.Error("no recovery email after Trouble logging in?")
		}
	})
}

func TestLOGIN2_DormantShowsLocked(t *testing.T) {
	longPasswords := func(c *config.Config) { c.Lifecycle.PasswordMaxAgeMember = 1000 * day }
	modesWith(t, longPasswords, func(t *testing.T, e *env, strict bool) {
		e.activeAccount("ana@example.test", "en")
		e.clock.Advance(365 * day)
		stateShown(t, e, strict, "ana@example.test", "locked", "not used for a long time", `id="trouble"`)
	})
}

func TestLOGIN2_ExpiredPasswordShowsExpiredMessage(t *testing.T) {
	modes(t, func(t *testing.T, e *env, strict bool) {
		e.activeAccount("ana@example.test", "en")
		e.clock.Advance(364 * day)
		e.browser().signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
		e.clock.Advance(day)
		stateShown(t, e, strict, "ana@example.test", "locked", "Your password has expired", `id="trouble"`)
		evs, _ := e.store.ListAudit(context.Background(), domain.AuditFilter{Type: domain.AuditPasswordExpired})
		if len(evs) != 1 {
			t.Errorf("%d password_expired events, want 1", len(evs))
		}
	})
}

func TestLOGIN2_DisabledShowsContactUs(t *testing.T) {
	modes(t, func(t *testing.T, e *env, strict bool) {
		a := e.activeAccount("ana@example.test", "en")
		if err := e.acc.Disable(context.Background(), a.ID, "staff", accounts.Meta{}); err != nil {
			t.Fatal(err)
		}
		stateShown(t, e, strict, "ana@example.test", "disabled", `id="contact"`).wantStatus(t, http.StatusForbidden)
	})
}

func TestLOGIN2_PendingOffersActivationResend(t *testing.T) {
	modes(t, func(t *testing.T, e *env, strict bool) {
		e.browser().post("/signup", signupValues("pending@example.test")).wantScreen(t, "check-email")
		if strict {
			stateShown(t, e, strict, "pending@example.test", "password", "Your account is not active yet.",
				`action="`+issuer+`/activate/resend"`)
			return
		}
		stateShown(t, e, strict, "pending@example.test", "check-email", "is not active yet",
			`id="resend"`, `action="`+issuer+`/activate/resend"`)
	})
}

func TestLOGIN2_RecoveryRequiredSendsRecoveryEmail(t *testing.T) {
	for _, reason := range []string{domain.RecoveryMigrated, domain.RecoveryAdminReset} {
		t.Run(reason, func(t *testing.T) {
			modes(t, func(t *testing.T, e *env, strict bool) {
				a := e.activeAccount("ana@example.test", "en")
				if err := e.acc.RequireRecovery(context.Background(), a.ID, reason, ""); err != nil {
					t.Fatal(err)
				}
				stateShown(t, e, strict, "ana@example.test", "check-email",
					"You need to set a new password", `id="resend"`, `action="`+issuer+`/trouble/resend"`)
				if n := len(e.sentTo("ana@example.test", accounts.TemplateRecover)); n != 1 {
					t.Errorf("%d recovery emails, want 1", n)
				}
			})
		})
	}
}
