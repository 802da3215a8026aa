package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

const newPassword = "Another-Horse-7"

// refreshToken stores a refresh token issued under the session.
func (e *env) refreshToken(t *testing.T, id string, sess *domain.Session) {
	t.Helper()
	err := e.store.CreateToken(context.Background(), &domain.Token{
		ID: id, Kind: domain.TokenRefresh, FamilyID: id, AccountID: sess.AccountID, ClientID: "member-portal",
		SessionID: sess.ID, Scopes: []string{"openid"}, CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(12 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) revoked(t *testing.T, id string) bool {
	t.Helper()
	tok, err := e.store.TokenByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tok.RevokedAt != nil
}

// TestPWD5_ChangeEndsOtherSessionsKeepsCurrent: a password change ends
// every other session of the account and revokes its refresh tokens; the
// session it was made in stays signed in with its tokens; the new password
// signs in, the old does not; a notice email goes to the account; the
// change is audited and PasswordChangedAt set.
func TestPWD5_ChangeEndsOtherSessionsKeepsCurrent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	if err := e.store.CreateClient(ctx, &domain.Client{ID: "member-portal", Name: "Member portal", CreatedAt: t0,
		RedirectURIs: []string{"https://member.example.test/callback"}, PortalType: domain.PortalMember}); err != nil {
		t.Fatal(err)
	}
	curCookie, cur, _ := e.svc.StartSession(ctx, a.ID, Meta{})
	otherCookie, other, _ := e.svc.StartSession(ctx, a.ID, Meta{})
	e.refreshToken(t, "rt-current", cur)
	e.refreshToken(t, "rt-other", other)
	bob := e.active(t, "bob@example.test")
	bobCookie, _, _ := e.svc.StartSession(ctx, bob.ID, Meta{})
	var notified []string
	e.svc.SetLogoutNotifier(func(_ context.Context, _ domain.Store, ids []string) error {
		notified = append(notified, ids...)
		return nil
	})

	e.clock.Advance(time.Minute)
	if err := e.svc.ChangePassword(ctx, a.ID, cur.ID, goodPassword, newPassword, newPassword, Meta{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Session(ctx, curCookie); err != nil {
		t.Errorf("the current session ended: %v", err)
	}
	if _, _, err := e.svc.Session(ctx, otherCookie); !domain.IsNotFound(err) {
		t.Errorf("the other session lives: %v", err)
	}
	if _, _, err := e.svc.Session(ctx, bobCookie); err != nil {
		t.Errorf("another account's session ended: %v", err)
	}
	if e.revoked(t, "rt-current") || !e.revoked(t, "rt-other") {
		t.Errorf("revoked: current %v (want false), other %v (want true)", e.revoked(t, "rt-current"), e.revoked(t, "rt-other"))
	}
	if len(notified) != 1 || notified[0] != other.ID {
		t.Errorf("logout notifier told %v, want the other session", notified)
	}
	if _, err := e.svc.Authenticate(ctx, "ana@example.test", newPassword, Meta{}); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, "ana@example.test", goodPassword, Meta{}); err == nil {
		t.Error("the old password still signs in")
	}
	if got := e.account(t, "ana@example.test").PasswordChangedAt; !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("PasswordChangedAt = %v", got)
	}
	notes := e.mail.all(TemplatePasswordChanged)
	if len(notes) != 1 || notes[0].To != "ana@example.test" || notes[0].Lang != "es" || notes[0].Data["TroubleLink"] != "https://id.example.test/trouble" {
		t.Errorf("notice emails = %+v", notes)
	}
	if evs := e.audits(t, domain.AuditPasswordChange); len(evs) != 1 || evs[0].AccountID != a.ID || evs[0].IP != "192.0.2.1" {
		t.Errorf("audit = %+v", evs)
	}
}

// TestPWD5_WrongCurrentPasswordRefused: a wrong current password changes
// nothing, is audited, does not count towards the LOGIN-5 lock, and after
// MaxReauthFailures within ReauthWindow even the right one is refused
// until the window moves on.
func TestPWD5_WrongCurrentPasswordRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	for i := range MaxReauthFailures {
		err := e.svc.ChangePassword(ctx, a.ID, "", "Wrong-Horse-1", newPassword, newPassword, Meta{})
		if fe, ok := errors.AsType[FieldErrors](err); !ok || fe[FieldCurrentPassword] != KeyCurrentPasswordWrong {
			t.Fatalf("try %d: %v", i+1, err)
		}
	}
	s := e.account(t, "ana@example.test")
	if s.Locked() || s.FailedLogins != 0 {
		t.Errorf("wrong current passwords counted as failed sign-ins: locked %v, failures %d", s.Locked(), s.FailedLogins)
	}
	if n := len(e.audits(t, domain.AuditPasswordChangeFailed)); n != MaxReauthFailures {
		t.Errorf("%d failure audits", n)
	}
	err := e.svc.ChangePassword(ctx, a.ID, "", goodPassword, newPassword, newPassword, Meta{})
	wantKey(t, err, domain.ETOOMANY, KeyReauthTooMany)
	e.clock.Advance(ReauthWindow)
	if err := e.svc.ChangePassword(ctx, a.ID, "", goodPassword, newPassword, newPassword, Meta{}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if len(e.mail.all(TemplatePasswordChanged)) != 1 {
		t.Error("want exactly one notice, after the successful change")
	}
}

// TestPWD5_NewPasswordChecked: policy, screening and confirmation are
// checked before the current password, every problem at once.
func TestPWD5_NewPasswordChecked(t *testing.T) {
	e := newEnv(t)
	a := e.active(t, "ana@example.test")
	for _, tt := range []struct {
		name                   string
		current, next, confirm string
		want                   FieldErrors
	}{
		{"empty", "", "", "", FieldErrors{FieldCurrentPassword: KeyRequired, FieldNewPassword: KeyRequired, FieldConfirm: KeyRequired}},
		{"short", goodPassword, "Ab1!", "Ab1!", FieldErrors{FieldNewPassword: "password.too_short"}},
		{"mismatch", goodPassword, newPassword, newPassword + "x", FieldErrors{FieldConfirm: KeyPasswordMismatch}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := e.svc.ChangePassword(context.Background(), a.ID, "", tt.current, tt.next, tt.confirm, Meta{})
			fe, ok := errors.AsType[FieldErrors](err)
			if !ok || len(fe) != len(tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for k, v := range tt.want {
				if fe[k] != v {
					t.Errorf("%s = %q, want %q", k, fe[k], v)
				}
			}
		})
	}
	if len(e.audits(t, domain.AuditPasswordChangeFailed)) != 0 {
		t.Error("a refused new password was audited as a wrong current password")
	}
}

// TestPWD5_ChangeVoidsOutstandingLinks: a recovery or email-change link
// sent before a password change is refused after it.
func TestPWD5_ChangeVoidsOutstandingLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	if err := e.svc.RequestEmailChange(ctx, a.ID, "new@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	secret := e.mail.lastEmailChangeSecret(t)
	rec := &domain.Link{Digest: digestOf("recover-secret"), Purpose: domain.LinkRecover, AccountID: a.ID,
		CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(time.Hour)}
	if err := e.store.CreateLink(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ChangePassword(ctx, a.ID, "", goodPassword, newPassword, newPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmEmailChange(ctx, secret, Meta{}); err == nil {
		t.Error("an email-change link from before the password change was used")
	}
	if _, err := e.store.UseLink(ctx, rec.Digest, e.clock.Now()); !domain.IsNotFound(err) {
		t.Errorf("the recovery link is still usable: %v", err)
	}
}

// TestPWD5_HistoryDepthApplies: with a history depth of 1 (PWD-2) the
// current password cannot be chosen again on the change form; with the
// default depth 0 it can.
func TestPWD5_HistoryDepthApplies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	if err := e.svc.ChangePassword(ctx, a.ID, "", goodPassword, goodPassword, goodPassword, Meta{}); err != nil {
		t.Fatalf("depth 0, same password: %v", err)
	}
	cfg := e.cfg
	cfg.Lifecycle.PasswordHistory = 1
	svc := New(e.store, password.NewHasher(small), e.mail, e.clock, cfg, nil)
	err := svc.ChangePassword(ctx, a.ID, "", goodPassword, goodPassword, goodPassword, Meta{})
	if fe, ok := errors.AsType[FieldErrors](err); !ok || fe[FieldNewPassword] != KeyPasswordReused {
		t.Fatalf("depth 1, same password: %v", err)
	}
	if err := svc.ChangePassword(ctx, a.ID, "", goodPassword, newPassword, newPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
}
