package accounts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// queued returns how many messages to addr are in the outbox, sent or not.
func (e *env) queued(t *testing.T, addr string) int {
	t.Helper()
	n, err := e.store.CountMessagesTo(context.Background(), addr, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestM1_ActivationEmailsCappedPerHour: sign-ups and resends for a pending
// address send at most three emails an hour. The fourth answers the same
// (nil) but sends nothing, makes no link, and is logged and audited. At
// 59:59 after the first three it is still refused; at 60:00 it goes.
func TestM1_ActivationEmailsCappedPerHour(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const addr = "ana@example.com"
	e.register(t, addr)
	for range MaxAccountMails - 1 {
		if err := e.svc.Register(ctx, signUp(addr), Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	a := e.account(t, addr)
	if n := e.queued(t, addr); n != MaxAccountMails {
		t.Fatalf("%d emails queued, want %d", n, MaxAccountMails)
	}
	latest, err := e.store.LatestLink(ctx, a.ID, domain.LinkActivate)
	if err != nil {
		t.Fatal(err)
	}

	e.clock.Set(t0.Add(MailWindow - time.Second))
	if err := e.svc.Register(ctx, signUp(addr), Meta{IP: "192.0.2.9"}); err != nil {
		t.Fatalf("Register over the cap = %v, want nil (same answer)", err)
	}
	if err := e.svc.ResendActivation(ctx, addr, Meta{}); err != nil {
		t.Fatalf("ResendActivation over the cap = %v, want nil", err)
	}
	if n := e.queued(t, addr); n != MaxAccountMails {
		t.Fatalf("%d emails queued at 59:59, want still %d", n, MaxAccountMails)
	}
	if l, err := e.store.LatestLink(ctx, a.ID, domain.LinkActivate); err != nil || l.Digest != latest.Digest || l.UsedAt != nil {
		t.Fatalf("newest link %+v, %v: want no new link and the older ones not voided", l, err)
	}
	evs := e.audits(t, domain.AuditMailSuppressed)
	if len(evs) != 2 || evs[1].AccountID != a.ID || evs[1].Detail != TemplateActivate || evs[1].IP != "192.0.2.9" {
		t.Fatalf("mail.suppressed events %+v, want two for the account", evs)
	}

	e.clock.Set(t0.Add(MailWindow))
	if err := e.svc.ResendActivation(ctx, addr, Meta{}); err != nil {
		t.Fatal(err)
	}
	if n := e.queued(t, addr); n != MaxAccountMails+1 {
		t.Fatalf("%d emails queued at 60:00, want %d", n, MaxAccountMails+1)
	}
}

// TestM1_AccountExistsEmailsCappedPerHour: sign-ups for an active address
// send at most three "account_exists" emails an hour, the activation
// email counted.
func TestM1_AccountExistsEmailsCappedPerHour(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const addr = "ana@example.com"
	e.active(t, addr)
	for range 5 {
		if err := e.svc.Register(ctx, signUp(addr), Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.mail.all(TemplateAccountExists)); n != MaxAccountMails-1 {
		t.Fatalf("%d account_exists emails, want %d (with the activation email, %d)", n, MaxAccountMails-1, MaxAccountMails)
	}
	if n := e.queued(t, addr); n != MaxAccountMails {
		t.Fatalf("%d emails queued, want %d", n, MaxAccountMails)
	}
	evs := e.audits(t, domain.AuditMailSuppressed)
	if len(evs) != 3 || evs[0].Detail != TemplateAccountExists {
		t.Fatalf("mail.suppressed events %+v, want three for account_exists", evs)
	}
}

// Sent messages count too: the cap is on what was asked for, not on what
// is still waiting.
func TestM1_SentEmailsCountTowardsTheCap(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const addr = "ana@example.com"
	e.register(t, addr)
	for range MaxAccountMails - 1 {
		if err := e.svc.Register(ctx, signUp(addr), Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range e.outbox(t) {
		if err := e.store.MarkMessageSent(ctx, m.ID, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.Register(ctx, signUp(addr), Meta{}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.all(TemplateActivate)); n != MaxAccountMails {
		t.Fatalf("%d activation emails, want %d", n, MaxAccountMails)
	}
}

// The cap is per account: another address is not held back.
func TestM1_CapIsPerAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for range MaxAccountMails + 1 {
		if err := e.svc.Register(ctx, signUp("ana@example.com"), Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	e.register(t, "bea@example.com")
	if err := e.svc.Register(ctx, signUp("bea@example.com"), Meta{}); err != nil {
		t.Fatal(err)
	}
	if n := e.queued(t, "bea@example.com"); n != 2 {
		t.Fatalf("%d emails to the other address, want 2", n)
	}
}

// TestM4_NamesThatCarryMessagesRefused: names are typed by anyone for any
// address; ones that read as web addresses, email addresses or phone
// numbers are refused with "name.invalid".
func TestM4_NamesThatCarryMessagesRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Your plan is suspended, visit https://evil.example", false},
		{"see www.evil.example", false},
		{"WWW.EVIL.EXAMPLE", false},
		{"ｗｗｗ．evil．example", false},
		{"ftp://x", false},
		{"write to help@evil.example", false},
		{"ana＠evil", false},
		{"call 555 0100", false},
		{"call 5-5-5-0-1", false},
		{"Juan Pablo 2", true},
		{"Ana 1234", true},
		{"O'Brien-Núñez", true},
		{"María José", true},
		{"Dr. Smith", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, field := range []string{FieldFirstName, FieldLastName} {
				in := signUp("ana@example.com")
				if field == FieldFirstName {
					in.FirstName = tc.name
				} else {
					in.LastName = tc.name
				}
				err := e.svc.Register(context.Background(), in, Meta{})
				var fe FieldErrors
				switch {
				case tc.ok && err != nil:
					t.Fatalf("%s %q: %v, want accepted", field, tc.name, err)
				case !tc.ok && (!errors.As(err, &fe) || len(fe) != 1 || fe[field] != KeyNameInvalid):
					t.Fatalf("%s %q: %v, want only %s: %s", field, tc.name, err, field, KeyNameInvalid)
				}
			}
		})
	}
}

// TestM4_EmailsGreetNoOne: the activation and account_exists emails carry
// no name, only the link.
func TestM4_EmailsGreetNoOne(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.register(t, "ana@example.com")
	e.active(t, "bea@example.com")
	if err := e.svc.Register(ctx, signUp("bea@example.com"), Meta{}); err != nil {
		t.Fatal(err)
	}
	all := e.mail.all("")
	if len(all) != 3 {
		t.Fatalf("%d emails, want 3", len(all))
	}
	for _, m := range all {
		for k := range m.Data {
			if k != "Link" && k != "ExpiresDays" && k != "LoginLink" {
				t.Errorf("%s email carries %s = %v", m.Template, k, m.Data[k])
			}
		}
	}
}
