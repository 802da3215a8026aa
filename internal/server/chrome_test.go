package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/mail"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// phoneChrome starts Debian's headless Chromium as a 390 px wide phone,
// when ENTRYKEYID_TEST_BROWSER is set; otherwise it skips the test.
func phoneChrome(t *testing.T) context.Context {
	t.Helper()
	if os.Getenv("ENTRYKEYID_TEST_BROWSER") == "" {
		t.Skip("set ENTRYKEYID_TEST_BROWSER=1 to run the headless Chromium tests (needs /usr/bin/chromium)")
	}
	const path = "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Chromium is not installed at %s: %v", path, err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844))
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// inChrome runs actions with a timeout, failing the test on error.
func inChrome(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// evalIn evaluates a JavaScript expression in the page shown.
func evalIn[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func TestUX2_DevInboxFitsAPhone(t *testing.T) {
	ctx := phoneChrome(t)
	p := startIdP(t, nil)
	sender := mail.NewFileSender(filepath.Join(p.cfg.DataDir, "mail"))
	for _, m := range []*domain.Message{
		{To: "maria.fernanda.gonzalez-lopez@subdomain.example.org", Subject: "Activate your account", Text: "a"},
		{To: "juana.ines@example.test", Subject: "Ya tienes una cuenta de EntryKeyID con esta dirección de correo", Text: "b"},
	} {
		if err := sender.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	inChrome(t, ctx, "open the inbox", chromedp.Navigate(p.url("/dev/mail")), chromedp.WaitReady(chromedp.CSS(`main[data-screen="dev-mail-list"]`)))
	const widths = `JSON.stringify([document.documentElement.scrollWidth, document.querySelector("table").getBoundingClientRect().width])`
	if got := evalIn[string](t, ctx, widths); !fitsPhone(got) {
		t.Errorf("on a 390 px phone the page and its table are %s px wide", got)
	}
	// One message, too.
	inChrome(t, ctx, "open a message", chromedp.Click(chromedp.CSS("tbody a")), chromedp.WaitReady(chromedp.CSS("dl")))
	if got := evalIn[float64](t, ctx, `document.documentElement.scrollWidth`); got > 390 {
		t.Errorf("on a 390 px phone a message is %v px wide", got)
	}
}

// fitsPhone reports whether "[page,table]" are both at most 390.
func fitsPhone(widths string) bool {
	var page, table float64
	_, err := fmt.Sscanf(widths, "[%g,%g]", &page, &table)
	return err == nil && page <= 390 && table <= 390
}

func TestPortalSignOutButtonHasThePageFont(t *testing.T) {
	ctx := phoneChrome(t)
	p := startIdP(t, nil)
	member, _ := startPortals(t, p)
	const email, pw = "font@example.org", "Correct-Horse-9"
	hash, err := password.NewHasher(p.cfg.Argon2).Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := accounts.NormalizeEmail(email)
	now := time.Now().UTC()
	if err := p.store.CreateAccount(context.Background(), &domain.Account{
		ID: "0123456789abcdef0123456789abcdef", Email: email, EmailKey: key, FirstName: "Ana", LastName: "Font",
		Language: "en", PasswordHash: hash, Status: domain.StatusActive,
		CreatedAt: now, UpdatedAt: now, ActivatedAt: &now, PasswordChangedAt: now,
	}); err != nil {
		t.Fatal(err)
	}
	const style = `(s => { const c = getComputedStyle(document.querySelector(s)); return [c.fontFamily, c.fontSize, c.fontWeight].join(" | ") })`
	inChrome(t, ctx, "open the portal", chromedp.Navigate(member.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#signin")))
	signInLook := evalIn[string](t, ctx, style+`("#signin")`)

	inChrome(t, ctx, "sign in",
		chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), email), chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="password"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), pw), chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#signout")))
	if got := evalIn[string](t, ctx, style+`("#signout")`); got != signInLook {
		t.Errorf("Sign out is in %q, the sign-in button in %q", got, signInLook)
	}
	if got, body := evalIn[string](t, ctx, style+`("#signout")`), evalIn[string](t, ctx, `getComputedStyle(document.body).fontFamily`); !strings.HasPrefix(got, body+" | ") {
		t.Errorf("Sign out is in %q, the page in %q", got, body)
	}
}
