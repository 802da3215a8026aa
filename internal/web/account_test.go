package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// TestACC3_AccountListsPortals: "Log in to register" leads, after the
// sign-in, to /account, which shows who is signed in and links to every
// portal the person can open, by name, at the origin of its first
// redirect URI. The staff's support portal is not listed.
func TestACC3_AccountListsPortals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, c := range []*domain.Client{
		{ID: "provider-portal", Name: "Provider portal", PortalType: domain.PortalProvider,
			RedirectURIs: []string{"http://127.0.0.1:8082/callback", "http://localhost:8082/callback"}},
		{ID: "support", Name: "Support portal", PortalType: domain.PortalSupport,
			RedirectURIs: []string{"https://support.example.test/callback"}},
		{ID: "app", Name: "Native app", PortalType: domain.PortalMember, Public: true,
			RedirectURIs: []string{"com.example.app:/callback"}},
	} {
		c.CreatedAt = t0
		if err := e.store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	e.activeAccount("ana@example.test", "es")
	b := e.browser()
	b.get("/activated").wantBody(t, `href="`+issuer+`/login"`)
	b.signIn("ana@example.test", goodPassword, "", false).wantStatus(t, http.StatusSeeOther)
	r := b.get("/account").wantStatus(t, http.StatusOK).wantScreen(t, "account")
	r.wantBody(t,
		"Hola, Ana Pérez", `<strong class="username">ana@example.test</strong>`, "Tus portales",
		`<a class="button" href="https://member.example.test/">Member portal</a>`,
		`<a class="button" href="http://127.0.0.1:8082/">Provider portal</a>`,
		`action="`+issuer+`/logout"`,
	)
	for _, gone := range []string{"Support portal", "support.example.test", "Native app"} {
		if strings.Contains(r.body, gone) {
			t.Errorf("the account screen lists %q", gone)
		}
	}
	if strings.Index(r.body, "Member portal") > strings.Index(r.body, "Provider portal") {
		t.Error("portals not in name order")
	}
}

func TestACC3_AccountWithoutPortalsSaysSo(t *testing.T) {
	e := newEnv(t)
	if err := e.store.DeleteClient(context.Background(), memberClient); err != nil {
		t.Fatal(err)
	}
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	b.get("/account").wantStatus(t, http.StatusOK).wantBody(t, "There are no portals to open yet.")
}

// TestACC2_ResendSaysOneHonestMessage: after "Resend activation email"
// the screen says one thing, the same whether the address has a pending
// account, an active one or none, and never claims an email was sent.
func TestACC2_ResendSaysOneHonestMessage(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("active@example.test", "en")
	b := e.browser()
	b.post("/signup", signupValues("pending@example.test")).wantScreen(t, "check-email")
	var pages []string
	for _, addr := range []string{"pending@example.test", "active@example.test", "nobody@example.test"} {
		r := b.post("/activate/resend", url.Values{"email": {addr}}).wantStatus(t, http.StatusOK).wantScreen(t, "check-email")
		r.wantBody(t, `<p class="notice" role="status">If `+addr+` belongs to an account that is waiting for activation, we have sent a new activation email to it.`)
		if strings.Contains(r.body, "We sent an email to") {
			t.Errorf("%s: the page also says an email was sent", addr)
		}
		pages = append(pages, strings.ReplaceAll(r.body, addr, "ADDRESS"))
	}
	if pages[0] != pages[1] || pages[1] != pages[2] {
		t.Error("the resend page differs between a pending, an active and an unknown address")
	}
	b.header.Set("Accept-Language", "es")
	b.post("/activate/resend", url.Values{"email": {"pending@example.test"}}).
		wantBody(t, "Si pending@example.test corresponde a una cuenta pendiente de activación")
}
