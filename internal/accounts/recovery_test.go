package accounts

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

const resetPassword = "Brand-New-Pass-42"

// recoverSecret returns the token of the newest recovery email to addr.
func (c *recordingComposer) recoverSecret(t *testing.T, addr string) string {
	t.Helper()
	rs := c.all(TemplateRecover)
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].To == addr {
			u, err := url.Parse(rs[i].Data["Link"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return u.Query().Get("token")
		}
	}
	t.Fatalf("no recovery email to %s", addr)
	return ""
}

// startRecovery asks for a recovery link for addr and returns its secret.
func (e *env) startRecovery(t *testing.T, addr string) string {
	t.Helper()
	if err := e.svc.StartRecovery(context.Background(), addr, Meta{}); err != nil {
		t.Fatalf("StartRecovery: %v", err)
	}
	return e.mail.recoverSecret(t, addr)
}

// lockFor locks the account with the reason.
func (e *env) lockFor(t *testing.T, a *domain.Account, reason string) {
	t.Helper()
	now := e.clock.Now()
	if err := e.store.SetLock(context.Background(), a.ID, &now, reason); err != nil {
		t.Fatal(err)
	}
}

// signsIn reports whether pw signs addr in.
func (e *env) signsIn(t *testing.T, addr, pw string) bool {
	t.Helper()
	_, err := e.svc.Authenticate(context.Background(), addr, pw, Meta{})
	return err == nil
}

func TestREC1_TroubleSendsARecoveryLinkStoredAsDigest(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "ana@example.com")
	if err := e.svc.StartRecovery(context.Background(), "ANA@example.com ", Meta{}); err != nil {
		t.Fatal(err)
	}
	secret := e.mail.recoverSecret(t, "ana@example.com")
	rs := e.mail.all(TemplateRecover)
	if len(rs) != 1 || rs[0].To != "ana@example.com" || rs[0].Lang != "es" || rs[0].Data["ExpiresMinutes"] != 60 {
		t.Fatalf("recovery emails %+v", rs)
	}
	if link := rs[0].Data["Link"].(string); !strings.HasPrefix(link, "https://id.example.test/recover?token=") {
		t.Fatalf("link %s", link)
	}
	if len(secret) != 43 {
		t.Fatalf("secret of %d characters, want 43 (256 bits)", len(secret))
	}
	ctx := context.Background()
	if _, err := e.store.LinkByDigest(ctx, secret); !domain.IsNotFound(err) {
		t.Fatalf("the secret itself is stored: %v", err)
	}
	l, err := e.store.LinkByDigest(ctx, digestOf(secret))
	if err != nil || l.Purpose != domain.LinkRecover || l.AccountID != a.ID || !l.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("stored link %+v, %v", l, err)
	}
	if evs := e.audits(t, domain.AuditRecoverRequest); len(evs) != 1 || evs[0].AccountID != a.ID {
		t.Fatalf("audit %+v", evs)
	}
}

func TestREC1_UnknownAddressAnswersTheSameAndSendsNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, addr := range []string{"nobody@example.com", "not an address", ""} {
		if err := e.svc.StartRecovery(ctx, addr, Meta{}); err != nil {
			t.Fatalf("StartRecovery(%q) = %v, want nil", addr, err)
		}
		if err := e.svc.ResendRecovery(ctx, addr, 0, Meta{}); err != nil {
			t.Fatalf("ResendRecovery(%q) = %v, want nil", addr, err)
		}
	}
	if n := len(e.mail.all("")); n != 0 {
		t.Fatalf("%d emails for unknown addresses", n)
	}
	if evs := e.audits(t, domain.AuditRecoverRequest); len(evs) != 6 || evs[0].AccountID != "" {
		t.Fatalf("audit %+v, want 6 without account", evs)
	}
}

func TestREC1_PendingAccountGetsItsActivationEmail(t *testing.T) {
	e := newEnv(t)
	e.register(t, "ana@example.com")
	if err := e.svc.StartRecovery(context.Background(), "ana@example.com", Meta{}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.all(TemplateActivate)); n != 2 {
		t.Fatalf("%d activation emails, want 2", n)
	}
	if n := len(e.mail.all(TemplateRecover)); n != 0 {
		t.Fatalf("%d recovery emails for a pending account", n)
	}
}

func TestREC2_LinkIsSingleUse(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	secret := e.startRecovery(t, "ana@example.com")
	if _, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.CompleteRecovery(ctx, secret, "Other-Pass-77", "Other-Pass-77", Meta{})
	wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
	_, err = e.svc.OpenRecovery(ctx, secret)
	wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
	if !e.signsIn(t, "ana@example.com", resetPassword) || e.signsIn(t, "ana@example.com", "Other-Pass-77") {
		t.Fatal("the second use changed the password")
	}
}

func TestREC2_LinkValidForOneHour(t *testing.T) {
	for _, tt := range []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"59:59 valid", time.Hour - time.Second, true},
		{"60:00 refused", time.Hour, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.active(t, "ana@example.com")
			secret := e.startRecovery(t, "ana@example.com")
			e.clock.Advance(tt.after)
			_, openErr := e.svc.OpenRecovery(ctx, secret)
			_, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{})
			if tt.ok {
				if openErr != nil || err != nil {
					t.Fatalf("open %v, complete %v; want both fine", openErr, err)
				}
				return
			}
			wantKey(t, openErr, domain.EINVALID, KeyRecoverInvalid)
			wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
			if !e.signsIn(t, "ana@example.com", goodPassword) {
				t.Fatal("an expired link changed the password")
			}
		})
	}
}

func TestREC2_OpeningTheLinkDoesNotUseIt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	secret := e.startRecovery(t, "ana@example.com")
	for range 3 {
		r, err := e.svc.OpenRecovery(ctx, secret)
		if err != nil || r.Action != RecoveryReset {
			t.Fatalf("OpenRecovery = %+v, %v", r, err)
		}
	}
	if _, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{}); err != nil {
		t.Fatalf("after three GETs: %v", err)
	}
}

func TestREC2_ResendVoidsOlderLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	first := e.startRecovery(t, "ana@example.com")
	if err := e.svc.ResendRecovery(ctx, "ana@example.com", 0, Meta{}); err != nil {
		t.Fatal(err)
	}
	second := e.mail.recoverSecret(t, "ana@example.com")
	if first == second {
		t.Fatal("resend reused the link")
	}
	_, err := e.svc.OpenRecovery(ctx, first)
	wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
	if _, err := e.svc.CompleteRecovery(ctx, second, resetPassword, resetPassword, Meta{}); err != nil {
		t.Fatalf("newest link: %v", err)
	}
}

func TestREC3_ThreeResendsThenContactSupport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	e.startRecovery(t, "ana@example.com")
	for i := range MaxRecoveryResends {
		e.clock.Advance(time.Minute)
		if err := e.svc.ResendRecovery(ctx, "ana@example.com", i, Meta{}); err != nil {
			t.Fatalf("resend %d: %v", i+1, err)
		}
	}
	if n := len(e.mail.all(TemplateRecover)); n != 4 {
		t.Fatalf("%d recovery emails, want 1 + 3 resends", n)
	}
	for _, addr := range []string{"ana@example.com", "nobody@example.com"} {
		err := e.svc.ResendRecovery(ctx, addr, MaxRecoveryResends, Meta{})
		wantKey(t, err, domain.ETOOMANY, KeyRecoverContactSupport)
	}
	// A new "Trouble logging in?" within the window sends nothing more...
	last := e.mail.recoverSecret(t, "ana@example.com")
	if err := e.svc.StartRecovery(ctx, "ana@example.com", Meta{}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.all(TemplateRecover)); n != 4 {
		t.Fatalf("%d recovery emails, want the cap of 4", n)
	}
	if evs := e.audits(t, domain.AuditMailSuppressed); len(evs) != 1 || evs[0].AccountID != a.ID {
		t.Fatalf("suppressed audit %+v", evs)
	}
	// ...and the last link sent still works until the window ends (item 7).
	e.clock.Set(t0.Add(RecoveryMailWindow - time.Second))
	if _, err := e.svc.OpenRecovery(ctx, last); err != nil {
		t.Fatalf("last link at the end of the window: %v", err)
	}
	e.clock.Set(t0.Add(RecoveryMailWindow))
	if err := e.svc.StartRecovery(ctx, "ana@example.com", Meta{}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.all(TemplateRecover)); n != 5 {
		t.Fatalf("%d recovery emails after the window, want 5", n)
	}
}

func TestREC4_LockedAccountIsUnlockedWithItsPassword(t *testing.T) {
	for _, reason := range []string{domain.LockFailedAttempts, domain.LockDormant} {
		t.Run(reason, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			a := e.active(t, "ana@example.com")
			if reason == domain.LockFailedAttempts {
				for range domain.MaxFailedLogins {
					e.signsIn(t, "ana@example.com", "wrong-Pass-1")
				}
			} else {
				e.lockFor(t, a, reason)
			}
			if !e.account(t, "ana@example.com").Locked() {
				t.Fatal("not locked")
			}
			secret := e.startRecovery(t, "ana@example.com")
			r, err := e.svc.OpenRecovery(ctx, secret)
			if err != nil || r.Action != RecoveryUnlock {
				t.Fatalf("OpenRecovery = %+v, %v; want unlock", r, err)
			}
			r, err = e.svc.CompleteRecovery(ctx, secret, "", "", Meta{})
			if err != nil || r.Action != RecoveryUnlock {
				t.Fatalf("CompleteRecovery = %+v, %v; want unlock", r, err)
			}
			if got := e.account(t, "ana@example.com"); got.Locked() || got.FailedLogins != 0 {
				t.Fatalf("after unlock %+v", got)
			}
			if !e.signsIn(t, "ana@example.com", goodPassword) {
				t.Fatal("the current password does not sign in after unlock")
			}
			if n := len(e.mail.all(TemplatePasswordResetDone)); n != 0 {
				t.Fatal("an unlock sent the reset confirmation")
			}
			if evs := e.audits(t, domain.AuditRecoverUnlock); len(evs) != 1 || evs[0].Detail != reason {
				t.Fatalf("audit %+v", evs)
			}
		})
	}
}

func TestREC4_OtherAccountsResetTheirPassword(t *testing.T) {
	for _, reason := range []string{"", domain.LockExpired} {
		t.Run("lock="+reason, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			a := e.active(t, "ana@example.com")
			if reason != "" {
				e.lockFor(t, a, reason)
			}
			secret := e.startRecovery(t, "ana@example.com")
			r, err := e.svc.OpenRecovery(ctx, secret)
			if err != nil || r.Action != RecoveryReset {
				t.Fatalf("OpenRecovery = %+v, %v; want reset", r, err)
			}
			for _, bad := range []struct {
				pw, confirm string
				want        FieldErrors
			}{
				{"", "", FieldErrors{FieldResetPassword: KeyRequired, FieldConfirm: KeyRequired}},
				{"short", "short", FieldErrors{FieldResetPassword: "password.too_short"}},
				{resetPassword, resetPassword + "x", FieldErrors{FieldConfirm: KeyPasswordMismatch}},
			} {
				_, err := e.svc.CompleteRecovery(ctx, secret, bad.pw, bad.confirm, Meta{})
				fe, ok := errors.AsType[FieldErrors](err)
				if !ok || len(fe) != len(bad.want) {
					t.Fatalf("CompleteRecovery(%q, %q) = %v, want %v", bad.pw, bad.confirm, err, bad.want)
				}
				for k, v := range bad.want {
					if fe[k] != v {
						t.Fatalf("field %s: %q, want %q", k, fe[k], v)
					}
				}
			}
			e.clock.Advance(time.Minute)
			if _, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{IP: "192.0.2.1"}); err != nil {
				t.Fatalf("reset after refused forms: %v", err)
			}
			if e.signsIn(t, "ana@example.com", goodPassword) || !e.signsIn(t, "ana@example.com", resetPassword) {
				t.Fatal("the new password is not the one that signs in")
			}
			got := e.account(t, "ana@example.com")
			if !got.PasswordChangedAt.Equal(t0.Add(time.Minute)) {
				t.Fatalf("PasswordChangedAt %v", got.PasswordChangedAt)
			}
			done := e.mail.all(TemplatePasswordResetDone)
			if len(done) != 1 || done[0].To != "ana@example.com" || done[0].Data["LoginLink"] != "https://id.example.test/login" {
				t.Fatalf("confirmation emails %+v", done)
			}
			if evs := e.audits(t, domain.AuditRecoverReset); len(evs) != 1 || evs[0].IP != "192.0.2.1" {
				t.Fatalf("audit %+v", evs)
			}
		})
	}
}

func TestREC5_DisabledAccountCannotRecover(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	secret := e.startRecovery(t, "ana@example.com")
	a.Status = domain.StatusDisabled
	if err := e.store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.OpenRecovery(ctx, secret)
	wantKey(t, err, domain.EFORBIDDEN, KeyRecoverDisabled)
	_, err = e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{})
	wantKey(t, err, domain.EFORBIDDEN, KeyRecoverDisabled)
	got := e.account(t, "ana@example.com")
	if got.Status != domain.StatusDisabled || got.PasswordHash != a.PasswordHash {
		t.Fatalf("a disabled account changed: %+v", got)
	}
	if evs := e.audits(t, domain.AuditRecoverRefused); len(evs) != 1 {
		t.Fatalf("audit %+v", evs)
	}
	// A disabled account still gets the email: its link says it is disabled.
	if err := e.svc.StartRecovery(ctx, "ana@example.com", Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.OpenRecovery(ctx, e.mail.recoverSecret(t, "ana@example.com"))
	wantKey(t, err, domain.EFORBIDDEN, KeyRecoverDisabled)
}

func TestREC7_ResetEndsSessionsTokensAndLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	var notified []string
	e.svc.SetLogoutNotifier(func(_ context.Context, _ domain.Store, ids []string) error {
		notified = append(notified, ids...)
		return nil
	})
	c1, s1 := e.start(t, a)
	c2, _ := e.start(t, a)
	if err := e.store.CreateClient(ctx, &domain.Client{ID: "member", Name: "Member", RedirectURIs: []string{"https://member.example.test/cb"}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	tok := &domain.Token{ID: "rt-digest", Kind: domain.TokenRefresh, FamilyID: "f1", AccountID: a.ID, ClientID: "member",
		SessionID: s1.ID, AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
	if err := e.store.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	other := &domain.Link{Digest: digestOf("email-change-secret"), Purpose: domain.LinkEmailChange, AccountID: a.ID,
		Data: "new@example.com", CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
	if err := e.store.CreateLink(ctx, other); err != nil {
		t.Fatal(err)
	}
	secret := e.startRecovery(t, "ana@example.com")
	e.clock.Advance(time.Minute)
	if _, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	if e.alive(t, c1) || e.alive(t, c2) {
		t.Fatal("a session outlived the reset")
	}
	if len(notified) != 2 {
		t.Fatalf("back-channel notices for %v, want both sessions", notified)
	}
	if got, err := e.store.TokenByID(ctx, tok.ID); err != nil || got.RevokedAt == nil {
		t.Fatalf("refresh token %+v, %v; want revoked", got, err)
	}
	if got, err := e.store.LinkByDigest(ctx, other.Digest); err != nil || got.UsedAt == nil {
		t.Fatalf("email change link %+v, %v; want voided", got, err)
	}
}

func TestRecovery_LinkUsedAfterPasswordChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	secret := e.startRecovery(t, "ana@example.com")
	e.clock.Advance(time.Minute)
	// The password changes by another way (signed in, PWD-5).
	a.PasswordChangedAt = e.clock.Now()
	if err := e.store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{})
	wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
}

func TestRecovery_LinkUsedAfterEmailChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.com")
	secret := e.startRecovery(t, "ana@example.com")
	a.Email, a.EmailKey = "ana.new@example.com", "ana.new@example.com"
	if err := e.store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.OpenRecovery(ctx, secret)
	wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
}

func TestRecovery_ResetWithoutAValidToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	secret := e.startRecovery(t, "ana@example.com")
	for name, token := range map[string]string{
		"missing":   "",
		"truncated": secret[:20],
		"altered":   alter(secret),
		"too long":  strings.Repeat("a", 500),
		"random":    "not-a-token",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.CompleteRecovery(ctx, token, resetPassword, resetPassword, Meta{})
			wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
		})
	}
	if !e.signsIn(t, "ana@example.com", goodPassword) {
		t.Fatal("a bad token changed the password")
	}
	if _, err := e.svc.OpenRecovery(ctx, secret); err != nil {
		t.Fatalf("the real link after bad tries: %v", err)
	}
}

// alter changes the last character of secret.
func alter(secret string) string {
	last := "A"
	if strings.HasSuffix(secret, "A") {
		last = "B"
	}
	return secret[:len(secret)-1] + last
}

func TestREC4_RecoveryRequiredAndExpiredByTheClockReset(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(e *env, a *domain.Account)
	}{
		{"migrated", func(e *env, a *domain.Account) {
			now := e.clock.Now()
			a.RecoveryReason, a.RecoveryRequiredAt = domain.RecoveryMigrated, &now
			if err := e.store.UpdateAccount(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}},
		{"password 365 days old", func(e *env, a *domain.Account) {
			e.clock.Advance(365 * 24 * time.Hour)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			a := e.active(t, "ana@example.com")
			tt.setup(e, a)
			if st, _ := e.svc.StateOf(e.account(t, "ana@example.com")); st == StateActive {
				t.Fatalf("state %s before recovery", st)
			}
			secret := e.startRecovery(t, "ana@example.com")
			if r, err := e.svc.OpenRecovery(ctx, secret); err != nil || r.Action != RecoveryReset {
				t.Fatalf("OpenRecovery = %+v, %v; want reset", r, err)
			}
			e.clock.Advance(time.Minute)
			if _, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{}); err != nil {
				t.Fatal(err)
			}
			if st, r := e.svc.StateOf(e.account(t, "ana@example.com")); st != StateActive {
				t.Fatalf("state %s/%s after the reset, want active", st, r)
			}
			if !e.signsIn(t, "ana@example.com", resetPassword) {
				t.Fatal("the new password does not sign in")
			}
		})
	}
}

func TestPWD2_ResetRefusesARecentPasswordWhenHistoryIsSet(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "ana@example.com")
	cfg := e.cfg
	cfg.Lifecycle.PasswordHistory = 2
	svc := New(e.store, password.NewHasher(small), e.mail, e.clock, cfg, nil)
	if err := svc.StartRecovery(ctx, "ana@example.com", Meta{}); err != nil {
		t.Fatal(err)
	}
	secret := e.mail.recoverSecret(t, "ana@example.com")
	_, err := svc.CompleteRecovery(ctx, secret, goodPassword, goodPassword, Meta{})
	if fe, ok := errors.AsType[FieldErrors](err); !ok || fe[FieldResetPassword] != KeyPasswordReused {
		t.Fatalf("reset to the current password: %v, want %s on %s", err, KeyPasswordReused, FieldResetPassword)
	}
	if _, err := svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{}); err != nil {
		t.Fatalf("a new password after the refusal: %v", err)
	}
}

func TestRecovery_LinkUsedAfterChangePasswordAndEmailChange(t *testing.T) {
	t.Run("password changed while signed in", func(t *testing.T) {
		e := newEnv(t)
		ctx := context.Background()
		a := e.active(t, "ana@example.com")
		secret := e.startRecovery(t, "ana@example.com")
		e.clock.Advance(time.Minute)
		if err := e.svc.ChangePassword(ctx, a.ID, "", goodPassword, "Changed-Pass-31", "Changed-Pass-31", Meta{}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.CompleteRecovery(ctx, secret, resetPassword, resetPassword, Meta{})
		wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
		if !e.signsIn(t, "ana@example.com", "Changed-Pass-31") {
			t.Fatal("the old link changed the password")
		}
	})
	t.Run("email changed", func(t *testing.T) {
		e := newEnv(t)
		ctx := context.Background()
		a := e.active(t, "ana@example.com")
		if err := e.svc.RequestEmailChange(ctx, a.ID, "ana.new@example.com", goodPassword, Meta{}); err != nil {
			t.Fatal(err)
		}
		changes := e.mail.all("email_change")
		if len(changes) != 1 {
			t.Fatalf("email change emails %+v", changes)
		}
		u, _ := url.Parse(changes[0].Data["Link"].(string))
		secret := e.startRecovery(t, "ana@example.com")
		if _, err := e.svc.ConfirmEmailChange(ctx, u.Query().Get("token"), Meta{}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.OpenRecovery(ctx, secret)
		wantKey(t, err, domain.EINVALID, KeyRecoverInvalid)
	})
}

func TestREC3_ConcurrentRequestsKeepTheCap(t *testing.T) {
	e := newEnv(t)
	e.active(t, "ana@example.com")
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := e.svc.StartRecovery(context.Background(), "ana@example.com", Meta{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(e.mail.all(TemplateRecover)); n != MaxRecoveryMails {
		t.Fatalf("%d recovery emails from 10 concurrent requests, want %d", n, MaxRecoveryMails)
	}
}
