package accounts

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const (
	attackerPassword = "Attacker-Pass-1"
	ownerPassword    = "Owners-Own-Pass-2"
)

// signUpAs is a sign-up for email with its own names and password.
func signUpAs(email, first, pw string) SignUp {
	return SignUp{Email: email, FirstName: first, LastName: "Doe", Language: "en", Password: pw, Confirm: pw}
}

// mustRegister signs up and returns the secret of the activation email it
// sent.
func (e *env) mustRegister(t *testing.T, in SignUp) string {
	t.Helper()
	before := len(e.mail.all(TemplateActivate))
	if err := e.svc.Register(context.Background(), in, Meta{}); err != nil {
		t.Fatalf("Register(%s): %v", in.Email, err)
	}
	if len(e.mail.all(TemplateActivate)) != before+1 {
		t.Fatalf("Register(%s) sent no activation email", in.Email)
	}
	return e.mail.lastSecret(t, e.account(t, in.Email).Email)
}

// link returns the stored activation link of a secret.
func (e *env) link(t *testing.T, secret string) *domain.Link {
	t.Helper()
	l, err := e.store.LinkByDigest(context.Background(), digestOf(secret))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestH1_PreHijackedSignUpCannotSetTheOwnersPassword: an attacker signs up
// the owner's address with a password of their own; the owner then signs
// up too. The owner gets two activation emails and no "account exists"
// one. The attacker's link does not take the owner's password; the
// owner's link activates the account with the owner's password and names,
// and voids the attacker's link.
func TestH1_PreHijackedSignUpCannotSetTheOwnersPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	attackers := e.mustRegister(t, signUpAs("prey@example.com", "Mallory", attackerPassword))
	owners := e.mustRegister(t, signUpAs("Prey@Example.com", "Ana", ownerPassword))
	if n := len(e.mail.all(TemplateAccountExists)); n != 0 {
		t.Fatalf("%d account_exists emails for a pending address, want 0", n)
	}
	for _, m := range e.mail.all(TemplateActivate) {
		if m.To != "prey@example.com" {
			t.Errorf("activation email to %s, want the account's address", m.To)
		}
	}

	// The owner opens the first email, the attacker's, with their password.
	_, err := e.svc.Activate(ctx, attackers, ownerPassword, Meta{})
	wantKey(t, err, domain.EUNAUTHORIZED, KeyActivatePasswordMismatch)
	if !strings.Contains(err.Error(), "doesn't match the one chosen when this activation email was requested") {
		t.Errorf("message %q does not say what went wrong", err)
	}
	if a := e.account(t, "prey@example.com"); a.Status != domain.StatusPending {
		t.Fatalf("account %s after a wrong activation password, want pending", a.Status)
	}
	if l := e.link(t, attackers); l.UsedAt != nil {
		t.Fatal("a wrong password used the link")
	}

	a, err := e.svc.Activate(ctx, owners, ownerPassword, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != domain.StatusActive || a.FirstName != "Ana" || a.Language != "en" {
		t.Fatalf("activated account %+v: want active with the owner's sign-up", a)
	}
	if stored := e.account(t, "prey@example.com"); stored.FirstName != "Ana" || stored.PasswordHash != a.PasswordHash {
		t.Fatalf("stored account %+v: want the owner's sign-up", stored)
	}
	if _, err := e.svc.Authenticate(ctx, "prey@example.com", ownerPassword, Meta{}); err != nil {
		t.Fatalf("the owner's password: %v", err)
	}
	_, err = e.svc.Authenticate(ctx, "prey@example.com", attackerPassword, Meta{})
	wantKey(t, err, domain.EUNAUTHORIZED, KeyLoginFailed)

	// The attacker's link is void now, even with the attacker's password.
	_, err = e.svc.Activate(ctx, attackers, attackerPassword, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if evs := e.audits(t, domain.AuditActivateFailure); len(evs) != 1 || evs[0].AccountID != a.ID {
		t.Errorf("activation failures audited: %+v, want one", evs)
	}
}

// The attacker's own link, with the attacker's password, activates the
// account only with the attacker's sign-up, and then the owner's link is
// void: the owner never ends up with a password they did not type.
func TestH1_EachLinkActivatesOnlyItsOwnSignUp(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.mustRegister(t, signUpAs("ana@example.com", "Ana", ownerPassword))
	second := e.mustRegister(t, signUpAs("ana@example.com", "Bea", attackerPassword))
	a, err := e.svc.Activate(ctx, second, attackerPassword, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if a.FirstName != "Bea" {
		t.Fatalf("activated with %q's sign-up, want the link's own (Bea)", a.FirstName)
	}
	_, err = e.svc.Activate(ctx, first, ownerPassword, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
}

func TestH1_FiveWrongPasswordsVoidTheLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	secret := e.register(t, "ana@example.com")
	for i := 1; i < MaxActivationAttempts; i++ {
		_, err := e.svc.Activate(ctx, secret, "Wrong-Password-1", Meta{})
		wantKey(t, err, domain.EUNAUTHORIZED, KeyActivatePasswordMismatch)
		if e.link(t, secret).UsedAt != nil {
			t.Fatalf("link used after %d wrong passwords", i)
		}
	}
	_, err := e.svc.Activate(ctx, secret, "Wrong-Password-1", Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if e.link(t, secret).UsedAt == nil {
		t.Fatal("the fifth wrong password left the link usable")
	}
	_, err = e.svc.Activate(ctx, secret, goodPassword, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if a := e.account(t, "ana@example.com"); a.Status != domain.StatusPending {
		t.Fatalf("account %s, want pending", a.Status)
	}
	if n := len(e.audits(t, domain.AuditActivateFailure)); n != MaxActivationAttempts {
		t.Errorf("%d activation failures audited, want %d", n, MaxActivationAttempts)
	}
}

func TestH1_FifthTryMayBeRight(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	secret := e.register(t, "ana@example.com")
	for range MaxActivationAttempts - 1 {
		_, err := e.svc.Activate(ctx, secret, "Wrong-Password-1", Meta{})
		wantKey(t, err, domain.EUNAUTHORIZED, KeyActivatePasswordMismatch)
	}
	if _, err := e.svc.Activate(ctx, secret, goodPassword, Meta{}); err != nil {
		t.Fatalf("right password on the fifth try: %v", err)
	}
}

// Wrong passwords sent at once are checked no more than five times.
func TestH1_ConcurrentWrongPasswordsCheckedAtMostFiveTimes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	secret := e.register(t, "ana@example.com")
	var wg sync.WaitGroup
	var mu sync.Mutex
	keys := map[string]int{}
	for range 20 {
		wg.Go(func() {
			_, err := e.svc.Activate(ctx, secret, "Wrong-Password-1", Meta{})
			var de *domain.Error
			if !errors.As(err, &de) {
				t.Errorf("Activate = %v, want a *domain.Error", err)
				return
			}
			mu.Lock()
			keys[de.Key]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if n := len(e.audits(t, domain.AuditActivateFailure)); n != MaxActivationAttempts {
		t.Errorf("%d passwords checked, want %d; answers %v", n, MaxActivationAttempts, keys)
	}
	if keys[KeyActivatePasswordMismatch] != MaxActivationAttempts-1 || keys["link.invalid"] != 20-(MaxActivationAttempts-1) {
		t.Errorf("answers %v", keys)
	}
	if e.link(t, secret).UsedAt == nil {
		t.Error("link still usable")
	}
}

func TestH1_EmptyPasswordAsksForItAndSpendsNoTry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	secret := e.register(t, "ana@example.com")
	before := e.link(t, secret)
	_, err := e.svc.Activate(ctx, secret, "", Meta{})
	var fe FieldErrors
	if !errors.As(err, &fe) || fe[FieldPassword] != KeyRequired {
		t.Fatalf("Activate without a password = %v, want a required password field", err)
	}
	if after := e.link(t, secret); after.Data != before.Data || after.UsedAt != nil {
		t.Fatalf("link changed: %+v, want %+v", after, before)
	}
	// An unusable link says so first: typing a password would not help.
	_, err = e.svc.Activate(ctx, "made-up", "", Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
}

// The link stores the sign-up's password hash, never the password.
func TestH1_LinkCarriesHashNotPassword(t *testing.T) {
	e := newEnv(t)
	secret := e.register(t, "ana@example.com")
	data := e.link(t, secret).Data
	if strings.Contains(data, goodPassword) || !strings.Contains(data, `"password_hash":"$argon2id$`) {
		t.Fatalf("link data %s: want the argon2id hash and not the password", data)
	}
}

// A link made before links carried their sign-up (empty Data) checks the
// password the pending account holds.
func TestH1_OlderLinkWithoutSignUpChecksAccountPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.register(t, "ana@example.com")
	a := e.account(t, "ana@example.com")
	secret, digest := newSecret()
	if err := e.store.CreateLink(ctx, &domain.Link{Digest: digest, Purpose: domain.LinkActivate, AccountID: a.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Activate(ctx, secret, "Wrong-Password-1", Meta{})
	wantKey(t, err, domain.EUNAUTHORIZED, KeyActivatePasswordMismatch)
	got, err := e.svc.Activate(ctx, secret, goodPassword, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash != a.PasswordHash || got.FirstName != a.FirstName {
		t.Fatalf("account %+v changed by an older link, want its own sign-up kept", got)
	}
}

// Failed sign-ins while pending were against a password the account may
// no longer have: activation clears them.
func TestH1_ActivationClearsFailedSignIns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mustRegister(t, signUpAs("ana@example.com", "Mallory", attackerPassword))
	owners := e.mustRegister(t, signUpAs("ana@example.com", "Ana", ownerPassword))
	for range domain.MaxFailedLogins {
		e.svc.Authenticate(ctx, "ana@example.com", ownerPassword, Meta{})
	}
	if a := e.account(t, "ana@example.com"); !a.Locked() {
		t.Fatal("want the pending account locked by failed sign-ins")
	}
	a, err := e.svc.Activate(ctx, owners, ownerPassword, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Locked() || a.FailedLogins != 0 {
		t.Fatalf("activated account %+v still locked", a)
	}
	if _, err := e.svc.Authenticate(ctx, "ana@example.com", ownerPassword, Meta{}); err != nil {
		t.Fatalf("sign-in after activation: %v", err)
	}
}

// A resend carries the latest sign-up: its password activates, an earlier
// sign-up's does not, and older links are void.
func TestACC2_ResendCarriesLatestSignUp(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.mustRegister(t, signUpAs("ana@example.com", "Mallory", attackerPassword))
	e.clock.Advance(time.Second)
	second := e.mustRegister(t, signUpAs("ana@example.com", "Ana", ownerPassword))
	e.clock.Advance(time.Second)
	if err := e.svc.ResendActivation(ctx, "ana@example.com", Meta{}); err != nil {
		t.Fatal(err)
	}
	fresh := e.mail.lastSecret(t, "ana@example.com")
	for _, old := range []string{first, second} {
		if e.link(t, old).UsedAt == nil {
			t.Error("an older link is still usable after a resend")
		}
	}
	_, err := e.svc.Activate(ctx, fresh, attackerPassword, Meta{})
	wantKey(t, err, domain.EUNAUTHORIZED, KeyActivatePasswordMismatch)
	a, err := e.svc.Activate(ctx, fresh, ownerPassword, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if a.FirstName != "Ana" {
		t.Fatalf("activated with %q's sign-up, want the latest (Ana)", a.FirstName)
	}
}
