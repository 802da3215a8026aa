package accounts

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// lastEmailChangeSecret returns the token of the newest email_change email.
func (c *recordingComposer) lastEmailChangeSecret(t *testing.T) string {
	t.Helper()
	all := c.all(TemplateEmailChange)
	if len(all) == 0 {
		t.Fatal("no email_change email")
	}
	link := all[len(all)-1].Data["Link"].(string)
	if !strings.HasPrefix(link, "https://id.example.test/account/email/confirm?token=") {
		t.Fatalf("link %q", link)
	}
	u, _ := url.Parse(link)
	return u.Query().Get("token")
}

// TestPROF2_ConfirmMakesNewAddressTheUsername: the new address gets a
// link; only its use makes it the username; the old address is told; the
// change is audited.
func TestPROF2_ConfirmMakesNewAddressTheUsername(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	if err := e.svc.RequestEmailChange(ctx, a.ID, " Ana.New@Example.test ", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	sent := e.mail.all(TemplateEmailChange)
	if len(sent) != 1 || sent[0].To != "Ana.New@Example.test" || sent[0].Lang != "es" || sent[0].Data["ExpiresHours"] != 24 {
		t.Fatalf("email_change emails = %+v", sent)
	}
	// Not confirmed yet: the old address still signs in, the new does not.
	if _, err := e.svc.Authenticate(ctx, "ana@example.test", goodPassword, Meta{}); err != nil {
		t.Errorf("old address before confirmation: %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, "ana.new@example.test", goodPassword, Meta{}); err == nil {
		t.Error("the new address signs in before confirmation")
	}
	got, err := e.svc.ConfirmEmailChange(ctx, e.mail.lastEmailChangeSecret(t), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "Ana.New@Example.test" || got.EmailKey != "ana.new@example.test" {
		t.Errorf("account now %q / %q", got.Email, got.EmailKey)
	}
	if _, err := e.svc.Authenticate(ctx, "ANA.NEW@example.test", goodPassword, Meta{}); err != nil {
		t.Errorf("new address after confirmation: %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, "ana@example.test", goodPassword, Meta{}); err == nil {
		t.Error("the old address still signs in")
	}
	notice := e.mail.all(TemplateEmailChangedNotice)
	if len(notice) != 1 || notice[0].To != "ana@example.test" || notice[0].Lang != "es" {
		t.Errorf("notice = %+v", notice)
	}
	if len(e.audits(t, domain.AuditEmailChangeRequest)) != 1 || len(e.audits(t, domain.AuditEmailChange)) != 1 {
		t.Error("request and change not audited once each")
	}
	// Used once.
	_, err = e.svc.ConfirmEmailChange(ctx, e.mail.lastEmailChangeSecret(t), Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
}

// TestPROF2_NeverConfirmed: an email change that is never confirmed leaves
// the old address the username, also after the link expires (24 h: valid
// at 23:59:59, refused at 24:00:00).
func TestPROF2_NeverConfirmed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	if err := e.svc.RequestEmailChange(ctx, a.ID, "new@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	secret := e.mail.lastEmailChangeSecret(t)
	e.clock.Advance(EmailChangeTTL)
	_, err := e.svc.ConfirmEmailChange(ctx, secret, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if _, err := e.svc.Authenticate(ctx, "ana@example.test", goodPassword, Meta{}); err != nil {
		t.Errorf("old address: %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, "new@example.test", goodPassword, Meta{}); err == nil {
		t.Error("the unconfirmed address signs in")
	}
	if _, err := e.svc.Lookup(ctx, "new@example.test"); !domain.IsNotFound(err) {
		t.Errorf("Lookup(new) = %v", err)
	}

	// The boundary: one second before the end the link works.
	if err := e.svc.RequestEmailChange(ctx, a.ID, "new@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	secret = e.mail.lastEmailChangeSecret(t)
	e.clock.Advance(EmailChangeTTL - time.Second)
	if _, err := e.svc.ConfirmEmailChange(ctx, secret, Meta{}); err != nil {
		t.Errorf("at 23:59:59: %v", err)
	}
}

// TestPROF2_TakenAddressSameAnswerThenRefusedAtConfirm: asking for an
// address another account has answers exactly as for a free one (a link
// is sent); the link then fails at confirmation with email_change.taken
// and changes nothing.
func TestPROF2_TakenAddressSameAnswerThenRefusedAtConfirm(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	e.active(t, "bob@example.test")
	if err := e.svc.RequestEmailChange(ctx, a.ID, "free@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestEmailChange(ctx, a.ID, "BOB@example.test", goodPassword, Meta{}); err != nil {
		t.Fatalf("taken address answered differently: %v", err)
	}
	if n := len(e.mail.all(TemplateEmailChange)); n != 2 {
		t.Fatalf("%d email_change emails, want 2", n)
	}
	secret := e.mail.lastEmailChangeSecret(t)
	_, err := e.svc.ConfirmEmailChange(ctx, secret, Meta{})
	wantKey(t, err, domain.ECONFLICT, KeyEmailTaken)
	if e.account(t, "ana@example.test").ID != a.ID || e.account(t, "bob@example.test").ID == a.ID {
		t.Error("a refused confirmation changed an address")
	}
	if len(e.mail.all(TemplateEmailChangedNotice)) != 0 {
		t.Error("the old address was told of a change that did not happen")
	}
	if evs := e.audits(t, domain.AuditEmailChangeFailed); len(evs) != 1 || evs[0].AccountID != a.ID {
		t.Errorf("audit = %+v", evs)
	}
}

// TestPROF2_RequestChecks: the current password is required and checked
// (rate limited, not a LOGIN-5 failure); the address must be one and not
// the current one; a newer request voids the older link.
func TestPROF2_RequestChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	for _, tt := range []struct {
		name, email, pw string
		want            FieldErrors
	}{
		{"empty", "", "", FieldErrors{FieldNewEmail: KeyRequired, FieldCurrentPassword: KeyRequired}},
		{"invalid", "not an address", goodPassword, FieldErrors{FieldNewEmail: KeyEmailInvalid}},
		{"same", "ANA@example.test", goodPassword, FieldErrors{FieldNewEmail: KeyEmailSame}},
		{"wrong password", "new@example.test", "Wrong-Horse-1", FieldErrors{FieldCurrentPassword: KeyCurrentPasswordWrong}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := e.svc.RequestEmailChange(ctx, a.ID, tt.email, tt.pw, Meta{})
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
	if len(e.mail.all(TemplateEmailChange)) != 0 {
		t.Error("a refused request sent a link")
	}
	if e.account(t, "ana@example.test").FailedLogins != 0 {
		t.Error("a wrong current password counted as a failed sign-in")
	}
	if err := e.svc.RequestEmailChange(ctx, a.ID, "one@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	first := e.mail.lastEmailChangeSecret(t)
	if err := e.svc.RequestEmailChange(ctx, a.ID, "two@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.ConfirmEmailChange(ctx, first, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	for _, bad := range []string{"", "altered", strings.Repeat("x", 500)} {
		_, err := e.svc.ConfirmEmailChange(ctx, bad, Meta{})
		wantKey(t, err, domain.EINVALID, "link.invalid")
	}
	// An activation link's secret is not an email-change link.
	if _, err := e.svc.ConfirmEmailChange(ctx, e.register(t, "pending@example.test"), Meta{}); err == nil {
		t.Error("an activation link confirmed an email change")
	}
}

// TestPROF2_LinksVoidedByEmailChange: a recovery link sent to the old
// address before the change is refused after it.
func TestPROF2_LinksVoidedByEmailChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	rec := &domain.Link{Digest: digestOf("recover-secret"), Purpose: domain.LinkRecover, AccountID: a.ID,
		CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(time.Hour)}
	if err := e.store.CreateLink(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestEmailChange(ctx, a.ID, "new@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmEmailChange(ctx, e.mail.lastEmailChangeSecret(t), Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.UseLink(ctx, rec.Digest, e.clock.Now()); !domain.IsNotFound(err) {
		t.Errorf("the recovery link sent to the old address is still usable: %v", err)
	}
}

// TestPROF2_RecoveryLinkRefusedAfterEmailChange: a recovery link sent to
// the old address before the change cannot be opened after it.
func TestPROF2_RecoveryLinkRefusedAfterEmailChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.active(t, "ana@example.test")
	if err := e.svc.StartRecovery(ctx, "ana@example.test", Meta{}); err != nil {
		t.Fatal(err)
	}
	rs := e.mail.all(TemplateRecover)
	if len(rs) != 1 {
		t.Fatalf("%d recovery emails", len(rs))
	}
	u, _ := url.Parse(rs[0].Data["Link"].(string))
	secret := u.Query().Get("token")
	if _, err := e.svc.OpenRecovery(ctx, secret); err != nil {
		t.Fatalf("before the change: %v", err)
	}
	if err := e.svc.RequestEmailChange(ctx, a.ID, "new@example.test", goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmEmailChange(ctx, e.mail.lastEmailChangeSecret(t), Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.OpenRecovery(ctx, secret); err == nil {
		t.Error("a recovery link from before the email change still opens")
	}
}
