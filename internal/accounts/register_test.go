package accounts

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Case and Unicode-form variants of an address are one account: while it
// is pending a variant's sign-up gets its own activation email; once it is
// active, an "account_exists" email. Both go to the address as first
// typed, in the account's language.
func TestACC1_RegisterCaseVariantsCollide(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.register(t, "Jos\u00e9.Perez@Example.com")
	if err := e.svc.Register(ctx, signUp("jos\u00e9.perez@example.com"), Meta{}); err != nil {
		t.Fatalf("Register(variant) = %v; want nil (no enumeration)", err)
	}
	if _, err := e.svc.Activate(ctx, e.mail.lastSecret(t, "Jos\u00e9.Perez@Example.com"), goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Register(ctx, signUp(" JOSE\u0301.PEREZ@EXAMPLE.COM "), Meta{}); err != nil {
		t.Fatalf("Register(variant) = %v; want nil (no enumeration)", err)
	}
	if n := e.count(t); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	a := e.account(t, "JOSÉ.PEREZ@example.com")
	if a.Email != "Jos\u00e9.Perez@Example.com" {
		t.Errorf("stored email %q, want it as first typed", a.Email)
	}
	acts := e.mail.all(TemplateActivate)
	if len(acts) != 2 {
		t.Fatalf("%d activation emails, want 2 (one per sign-up while pending)", len(acts))
	}
	exists := e.mail.all(TemplateAccountExists)
	if len(exists) != 1 {
		t.Fatalf("%d account_exists emails, want 1 (the sign-up after activation)", len(exists))
	}
	for _, m := range append(acts, exists...) {
		if m.To != a.Email || m.Lang != "es" {
			t.Errorf("%s email to %s in %s: want to the existing account, in its language", m.Template, m.To, m.Lang)
		}
	}
	if exists[0].Data["LoginLink"] != "https://id.example.test/login" {
		t.Errorf("account_exists email %+v: want the login link", exists[0])
	}
	if n := len(e.outbox(t)); n != 3 {
		t.Errorf("outbox holds %d messages, want 3", n)
	}
}

func TestACC1_ConcurrentRegisterDifferentCaseLeavesOneAccount(t *testing.T) {
	e := newEnv(t)
	const rounds = 10
	for i := range rounds {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, email := range []string{fmt.Sprintf("race%d@example.com", i), fmt.Sprintf("RACE%d@Example.COM", i)} {
			wg.Go(func() { errs[j] = e.svc.Register(context.Background(), signUp(email), Meta{}) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: Register = %v; want nil for both", i, err)
			}
		}
	}
	if n := e.count(t); n != rounds {
		t.Fatalf("%d accounts after %d rounds of two sign-ups, want %d", n, rounds, rounds)
	}
	// Each sign-up, the losing one too, gets its own activation email.
	var activate, exists int
	for _, m := range e.outbox(t) {
		switch m.Subject {
		case TemplateActivate:
			activate++
		case TemplateAccountExists:
			exists++
		}
	}
	if activate != 2*rounds || exists != 0 {
		t.Fatalf("outbox: %d activation and %d account_exists emails, want %d and 0", activate, exists, 2*rounds)
	}
}

// A sign-up that loses the race for an address after its activation email
// was written to the outbox leaves no trace of that email: it goes with the
// account's transaction (ACC-2, outbox). The losing sign-up is then one
// for a pending address and gets a new activation email of its own.
func TestACC2_OutboxEmailRollsBackWithTheAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e.mail.before = func(template string) error {
		if template == TemplateActivate {
			first := false
			once.Do(func() { first = true })
			if first { // hold the first sign-up after its address check
				close(arrived)
				<-release
			}
		}
		return nil
	}
	loser := make(chan error, 1)
	go func() { loser <- e.svc.Register(ctx, signUp("late@example.com"), Meta{}) }()
	<-arrived
	if err := e.svc.Register(ctx, signUp("LATE@example.com"), Meta{}); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-loser; err != nil {
		t.Fatalf("the losing Register = %v, want nil", err)
	}

	if n := e.count(t); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	a := e.account(t, "late@example.com")
	if a.Email != "LATE@example.com" {
		t.Fatalf("account %q, want the winner's", a.Email)
	}
	// Composed in order: the winner's, the loser's rolled-back one (it
	// records after it is released), the loser's second.
	acts := e.mail.all(TemplateActivate)
	if len(acts) != 3 {
		t.Fatalf("%d activation emails composed, want 3", len(acts))
	}
	if acts[0].To != "LATE@example.com" || acts[1].To != "late@example.com" || acts[2].To != "LATE@example.com" {
		t.Fatalf("activation emails to %s, %s, %s: want the winner, the loser as typed, then the account's address",
			acts[0].To, acts[1].To, acts[2].To)
	}
	msgs := e.outbox(t)
	if len(msgs) != 2 {
		t.Fatalf("outbox holds %d messages, want 2: the winner's and the loser's second activation", len(msgs))
	}
	for _, m := range msgs {
		if m.Text == acts[1].Data["Link"] {
			t.Errorf("outbox holds the rolled-back activation email")
		}
	}
	if ex := e.mail.all(TemplateAccountExists); len(ex) != 0 {
		t.Errorf("account_exists emails %+v for a pending address, want none", ex)
	}
	if n := len(e.audits(t, domain.AuditAccountCreate)); n != 1 {
		t.Errorf("%d account.create events, want 1", n)
	}
	secretOf := func(c composed) string {
		u, err := url.Parse(c.Data["Link"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return u.Query().Get("token")
	}
	// The rolled-back link was never stored; the loser's second one works.
	if _, err := e.svc.Activate(ctx, secretOf(acts[1]), goodPassword, Meta{}); err == nil {
		t.Error("the rolled-back activation link works")
	}
	if _, err := e.svc.Activate(ctx, secretOf(acts[2]), goodPassword, Meta{}); err != nil {
		t.Errorf("the losing sign-up's own activation link: %v", err)
	}
}

func TestACC2_ComposeFailureWritesNothing(t *testing.T) {
	e := newEnv(t)
	boom := errors.New("template missing")
	e.mail.before = func(string) error { return boom }
	err := e.svc.Register(context.Background(), signUp("ana@example.com"), Meta{})
	if !errors.Is(err, boom) {
		t.Fatalf("Register = %v, want the compose error", err)
	}
	if n := e.count(t); n != 0 {
		t.Errorf("%d accounts, want 0", n)
	}
	if n := len(e.outbox(t)); n != 0 {
		t.Errorf("%d messages, want 0", n)
	}
}

func TestACC2_RegisterValidatesEveryField(t *testing.T) {
	long := strings.Repeat("ñ", 101)
	for _, tc := range []struct {
		name string
		in   SignUp
		want FieldErrors
	}{
		{"empty", SignUp{}, FieldErrors{
			FieldEmail: KeyRequired, FieldFirstName: KeyRequired, FieldLastName: KeyRequired,
			FieldLanguage: KeyRequired, FieldPassword: KeyRequired, FieldConfirm: KeyRequired,
		}},
		{"blank", SignUp{Email: " ", FirstName: " ", LastName: "\t", Language: " ", Password: "Correct-Horse-9", Confirm: "Correct-Horse-9"}, FieldErrors{
			FieldEmail: KeyRequired, FieldFirstName: KeyRequired, FieldLastName: KeyRequired, FieldLanguage: KeyRequired,
		}},
		{"all wrong", SignUp{Email: "ana at example", FirstName: long, LastName: "Pe\x00rez", Language: "fr", Password: "short", Confirm: "other"}, FieldErrors{
			FieldEmail: KeyEmailInvalid, FieldFirstName: KeyTooLong, FieldLastName: KeyInvalid,
			FieldLanguage: KeyInvalid, FieldPassword: "password.too_short", FieldConfirm: KeyPasswordMismatch,
		}},
		{"two classes", SignUp{Email: "a@b.c", FirstName: "A", LastName: "B", Language: "en", Password: "onlylowercase1", Confirm: "onlylowercase1"}, FieldErrors{
			FieldPassword: "password.classes",
		}},
		{"too long password", SignUp{Email: "a@b.c", FirstName: "A", LastName: "B", Language: "en", Password: "Aa1" + strings.Repeat("x", 200), Confirm: "Aa1" + strings.Repeat("x", 200)}, FieldErrors{
			FieldPassword: "password.too_long",
		}},
		{"mismatch only", SignUp{Email: "a@b.c", FirstName: "A", LastName: "B", Language: "en", Password: goodPassword, Confirm: goodPassword + "x"}, FieldErrors{
			FieldConfirm: KeyPasswordMismatch,
		}},
		{"names of 100 characters are fine", SignUp{Email: "a@b.c", FirstName: long[2:], LastName: long[2:], Language: "es", Password: goodPassword, Confirm: goodPassword + "!"}, FieldErrors{
			FieldConfirm: KeyPasswordMismatch,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			err := e.svc.Register(context.Background(), tc.in, Meta{})
			var fe FieldErrors
			if !errors.As(err, &fe) || !maps.Equal(fe, tc.want) {
				t.Fatalf("Register = %v (%v), want %v", err, fe, tc.want)
			}
			for field := range tc.want {
				if !strings.Contains(err.Error(), field) {
					t.Errorf("error text %q does not name %s", err.Error(), field)
				}
			}
			if n := e.count(t); n != 0 {
				t.Errorf("%d accounts after bad input, want 0", n)
			}
			if n := len(e.mail.all("")); n != 0 {
				t.Errorf("%d emails after bad input, want 0", n)
			}
		})
	}
}

func TestACC2_PendingUntilActivated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.1", UserAgent: "test", ClientID: "member"}
	in := signUp("  Ana@Example.com ")
	if err := e.svc.Register(ctx, in, m); err != nil {
		t.Fatal(err)
	}
	a := e.account(t, "ana@example.com")
	if a.Status != domain.StatusPending || a.ActivatedAt != nil || a.Email != "Ana@Example.com" ||
		a.FirstName != "Ana" || a.LastName != "Pérez" || a.Language != "es" {
		t.Fatalf("new account %+v: want pending, as typed (trimmed)", a)
	}
	if !strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("password stored as %q, want an argon2id PHC string", a.PasswordHash)
	}
	acts := e.mail.all(TemplateActivate)
	if len(acts) != 1 {
		t.Fatalf("%d activation emails, want 1", len(acts))
	}
	act := acts[0]
	link := act.Data["Link"].(string)
	if act.To != "Ana@Example.com" || act.Lang != "es" || act.Data["ExpiresDays"] != 7 || act.Data["Name"] != nil ||
		!strings.HasPrefix(link, "https://id.example.test/activate?token=") {
		t.Errorf("activation email %+v: want to the address as typed, in Spanish, 7 days, a link on the issuer, no name", act)
	}
	secret := e.mail.lastSecret(t, "Ana@Example.com")
	if len(secret) != 43 {
		t.Errorf("secret %q: want 256 bits in unpadded base64url", secret)
	}
	if _, err := e.store.LinkByDigest(ctx, secret); err == nil {
		t.Error("the link secret is stored in clear")
	}
	l, err := e.store.LinkByDigest(ctx, digestOf(secret))
	if err != nil || !l.ExpiresAt.Equal(t0.Add(7*24*time.Hour)) || l.Purpose != domain.LinkActivate {
		t.Fatalf("stored link %+v, %v: want its digest, activate, expiring in 7 days", l, err)
	}
	if evs := e.audits(t, domain.AuditAccountCreate); len(evs) != 1 || evs[0].AccountID != a.ID || evs[0].IP != m.IP || evs[0].ClientID != m.ClientID {
		t.Errorf("account.create events %+v", evs)
	}

	_, err = e.svc.Authenticate(ctx, "ana@example.com", goodPassword, m)
	wantKey(t, err, domain.EFORBIDDEN, KeyLoginPending)

	e.clock.Advance(time.Hour)
	got, err := e.svc.Activate(ctx, secret, goodPassword, m)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	if got.Status != domain.StatusActive || got.ActivatedAt == nil || !got.ActivatedAt.Equal(now) {
		t.Fatalf("activated account %+v: want active at %v", got, now)
	}
	if a := e.account(t, "ana@example.com"); a.Status != domain.StatusActive || !a.ActivatedAt.Equal(now) {
		t.Fatalf("stored account %+v: want active", a)
	}
	if evs := e.audits(t, domain.AuditActivate); len(evs) != 1 || evs[0].AccountID != a.ID {
		t.Errorf("account.activate events %+v", evs)
	}
	if _, err := e.svc.Authenticate(ctx, "ANA@example.com", goodPassword, m); err != nil {
		t.Fatalf("sign-in after activation: %v", err)
	}
}

func TestACC2_LinkSingleUse(t *testing.T) {
	e := newEnv(t)
	secret := e.register(t, "ana@example.com")
	if _, err := e.svc.Activate(context.Background(), secret, goodPassword, Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Activate(context.Background(), secret, goodPassword, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if n := len(e.audits(t, domain.AuditActivate)); n != 1 {
		t.Errorf("%d account.activate events, want 1", n)
	}
}

func TestACC2_LinkConcurrentUseActivatesOnce(t *testing.T) {
	e := newEnv(t)
	secret := e.register(t, "ana@example.com")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 10 {
		wg.Go(func() {
			if _, err := e.svc.Activate(context.Background(), secret, goodPassword, Meta{}); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d activations succeeded, want 1", ok)
	}
}

func TestACC2_LinkExpiresAtSevenDays(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	early := e.register(t, "early@example.com")
	late := e.register(t, "late@example.com")

	e.clock.Set(t0.Add(7*24*time.Hour - time.Second))
	if _, err := e.svc.Activate(ctx, early, goodPassword, Meta{}); err != nil {
		t.Fatalf("at 7d-1s: %v, want activated", err)
	}
	e.clock.Set(t0.Add(7 * 24 * time.Hour))
	_, err := e.svc.Activate(ctx, late, goodPassword, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if a := e.account(t, "late@example.com"); a.Status != domain.StatusPending {
		t.Fatalf("after an expired link the account is %s, want pending", a.Status)
	}
}

func TestACC2_BadLinksChangeNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	secret := e.register(t, "ana@example.com")
	flipped := []byte(secret)
	flipped[10] ^= 1
	for name, s := range map[string]string{
		"empty":   "",
		"altered": string(flipped),
		"cut":     secret[:len(secret)-1],
		"longer":  secret + "A",
		"huge":    strings.Repeat("A", 10000),
		"digest":  digestOf(secret),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.Activate(ctx, s, goodPassword, Meta{})
			wantKey(t, err, domain.EINVALID, "link.invalid")
		})
	}
	if a := e.account(t, "ana@example.com"); a.Status != domain.StatusPending {
		t.Fatalf("account %s after bad links, want pending", a.Status)
	}
	if _, err := e.svc.Activate(ctx, secret, goodPassword, Meta{}); err != nil {
		t.Fatalf("the real link after bad ones: %v", err)
	}
}

// A link of another purpose is not an activation link, and trying it does
// not use it up.
func TestACC2_OtherPurposeLinkRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.register(t, "ana@example.com")
	a := e.account(t, "ana@example.com")
	secret, digest := newSecret()
	if err := e.store.CreateLink(ctx, &domain.Link{Digest: digest, Purpose: domain.LinkRecover, AccountID: a.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Activate(ctx, secret, goodPassword, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if l, err := e.store.LinkByDigest(ctx, digest); err != nil || l.UsedAt != nil {
		t.Fatalf("recovery link after a refused activation: %+v, %v; want unused", l, err)
	}
}

func TestACC2_ResendVoidsOlderLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.register(t, "ana@example.com")
	e.clock.Advance(time.Minute)
	if err := e.svc.ResendActivation(ctx, "ANA@example.com", Meta{}); err != nil {
		t.Fatal(err)
	}
	fresh := e.mail.lastSecret(t, "ana@example.com")
	if fresh == old {
		t.Fatal("the re-sent link is the old one")
	}
	if n := len(e.outbox(t)); n != 2 {
		t.Errorf("outbox holds %d messages, want 2", n)
	}
	_, err := e.svc.Activate(ctx, old, goodPassword, Meta{})
	wantKey(t, err, domain.EINVALID, "link.invalid")
	if _, err := e.svc.Activate(ctx, fresh, goodPassword, Meta{}); err != nil {
		t.Fatalf("new link: %v", err)
	}
}

func TestACC2_ResendSilentUnlessPending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.active(t, "active@example.com")
	before := len(e.mail.all(""))
	for _, email := range []string{"active@example.com", "nobody@example.com", "not an address", ""} {
		if err := e.svc.ResendActivation(ctx, email, Meta{}); err != nil {
			t.Errorf("ResendActivation(%q) = %v, want nil", email, err)
		}
	}
	if n := len(e.mail.all("")); n != before {
		t.Errorf("%d emails sent for non-pending addresses, want none", n-before)
	}
}
