package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func TestLogout_ConfirmThenRedirectToRegisteredURI(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	cookie := b.signIn("ana@example.test", goodPassword, "", false).setCookie(e.srv.sessionCookie()).Value

	q := "client_id=" + memberClient + "&post_logout_redirect_uri=" + url.QueryEscape(memberLogout) + "&state=xyz"
	r := b.get("/logout?"+q).wantStatus(t, 200).wantScreen(t, "logout")
	r.wantBody(t, `name="client_id" value="`+memberClient+`"`, `name="state" value="xyz"`, `id="submit"`)
	if _, _, err := e.acc.Session(context.Background(), cookie); err != nil {
		t.Fatal("GET /logout ended the session")
	}

	r = b.post("/logout", url.Values{
		"client_id": {memberClient}, "post_logout_redirect_uri": {memberLogout}, "state": {"xyz"},
	}).wantStatus(t, http.StatusFound)
	if got := r.Header.Get("Location"); got != memberLogout+"?state=xyz" {
		t.Fatalf("Location %q", got)
	}
	if c := r.setCookie(e.srv.sessionCookie()); c == nil || c.MaxAge >= 0 {
		t.Fatalf("session cookie not cleared: %+v", c)
	}
	if _, _, err := e.acc.Session(context.Background(), cookie); !domain.IsNotFound(err) {
		t.Fatalf("session still live after sign-out: %v", err)
	}
	events, _ := e.store.ListAudit(context.Background(), domain.AuditFilter{Type: domain.AuditSignOut})
	if len(events) != 1 {
		t.Fatalf("%d sign-out audit events, want 1", len(events))
	}
}

func TestLogout_UnregisteredURIShowsSignedOut(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	for _, tt := range []struct{ name, client, uri string }{
		{"prefix of a registered URI", memberClient, memberLogout + "/../evil"},
		{"another site", memberClient, "https://evil.example/"},
		{"unknown client", "nobody", memberLogout},
		{"no client", "", memberLogout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			b.signIn("ana@example.test", goodPassword, "", false)
			b.post("/logout", url.Values{"client_id": {tt.client}, "post_logout_redirect_uri": {tt.uri}}).
				wantStatus(t, 200).wantScreen(t, "signed-out")
		})
	}
}

func TestLogout_WithoutSessionSkipsConfirmation(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.get("/logout").wantStatus(t, 200).wantScreen(t, "signed-out")
	r := b.get("/logout?client_id=" + memberClient + "&post_logout_redirect_uri=" + url.QueryEscape(memberLogout))
	r.wantStatus(t, http.StatusFound)
	if r.Header.Get("Location") != memberLogout {
		t.Fatalf("Location %q", r.Header.Get("Location"))
	}
}

// TestLogout_AccountPageSignOut: the account page's button signs out.
func TestLogout_AccountPageSignOut(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	b := e.browser()
	b.signIn("ana@example.test", goodPassword, "", false)
	b.get("/account").wantStatus(t, 200)
	b.post("/logout", url.Values{}).wantStatus(t, 200).wantScreen(t, "signed-out")
	b.get("/account").wantStatus(t, http.StatusFound)
}
