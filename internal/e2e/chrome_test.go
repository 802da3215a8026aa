package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Viewports the screenshots are taken at: a phone and a desktop.
var (
	phone   = viewport{"phone", 390, 844, true}
	desktop = viewport{"desktop", 1280, 800, false}
)

type viewport struct {
	name          string
	width, height int64
	mobile        bool // honour <meta name="viewport">, portrait
}

// emulate sets the viewport.
func (vp viewport) emulate() chromedp.Action[chromedp.Void] {
	if vp.mobile {
		return chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(vp.width, vp.height)
}

// chrome is one headless Chromium with a fresh profile, driven through
// chromedp, with helpers that fail the test with the page's state when a
// step does not go as expected.
type chrome struct {
	t     *testing.T
	ctx   context.Context
	shots string // folder the screenshots go to
}

// stepTimeout bounds each browser step (a navigation or a wait).
const stepTimeout = 20 * time.Second

// requireBrowser skips the test unless ENTRYKEYID_TEST_BROWSER is set; when
// it is set, a missing Chromium fails the test.
func requireBrowser(t *testing.T) string {
	t.Helper()
	if os.Getenv("ENTRYKEYID_TEST_BROWSER") == "" {
		t.Skip("set ENTRYKEYID_TEST_BROWSER=1 to run the headless Chromium tests (needs /usr/bin/chromium)")
	}
	return chromiumPath(t)
}

// newChrome starts Debian's Chromium headless with a new user-data dir
// and a phone-sized window. Screenshots go to a temporary folder, or to
// $ENTRYKEYID_SCREENSHOTS/<test name> when that is set (to look at them).
func newChrome(t *testing.T, execPath string) *chrome {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(phone.width), int(phone.height)),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// Start the browser with no deadline, so that the per-step timeouts
	// below do not bind its life.
	if err := chromedp.Do(ctx, phone.emulate()); err != nil {
		t.Fatalf("start Chromium at %s: %v", execPath, err)
	}
	shots := t.TempDir()
	if dir := os.Getenv("ENTRYKEYID_SCREENSHOTS"); dir != "" {
		shots = filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &chrome{t: t, ctx: ctx, shots: shots}
}

// step runs actions with the step timeout.
func (c *chrome) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v\n%s", what, err, c.state())
	}
}

// navigate runs actions that cause a page load and waits for it.
func (c *chrome) navigate(what string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v\n%s", what, err, c.state())
	}
}

// open loads rawURL.
func (c *chrome) open(rawURL string) {
	c.t.Helper()
	c.navigate("open "+rawURL, chromedp.Navigate(rawURL))
}

// click clicks the element with the CSS selector and waits for the page
// it leads to.
func (c *chrome) click(sel string) {
	c.t.Helper()
	c.navigate("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// fill types value into the empty field with the CSS selector.
func (c *chrome) fill(sel, value string) {
	c.t.Helper()
	c.step("fill "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
}

// choose selects the option with value in the <select> with the CSS
// selector.
func (c *chrome) choose(sel, value string) {
	c.t.Helper()
	c.step("choose "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// waitScreen waits until the page's <main> carries data-screen=name.
func (c *chrome) waitScreen(name string) {
	c.t.Helper()
	c.step("wait for screen "+name, chromedp.WaitReady(chromedp.CSS(`main[data-screen="`+name+`"]`)))
}

// text returns the text of the element with the CSS selector.
func (c *chrome) text(sel string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		c.t.Fatalf("text of %s: %v\n%s", sel, err, c.state())
	}
	return strings.TrimSpace(s)
}

// location returns the URL of the page shown.
func (c *chrome) location() string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		c.t.Fatalf("location: %v", err)
	}
	return loc
}

// screen returns the data-screen name of the page shown, or "".
func (c *chrome) screen() string {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main[data-screen]")||{dataset:{screen:""}}).dataset.screen`))
	if err != nil {
		return ""
	}
	return s
}

// state describes the page shown, for failure messages.
func (c *chrome) state() string {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(body) > 2000 {
		body = body[:2000] + "…"
	}
	return fmt.Sprintf("page %s (screen %q):\n%s", loc, c.screen(), body)
}

// shot saves full-page screenshots of the page shown at the phone and the
// desktop viewport, as NAME-phone.png and NAME-desktop.png.
func (c *chrome) shot(name string) {
	c.t.Helper()
	for _, vp := range []viewport{phone, desktop} {
		ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
		if err := chromedp.Do(ctx, vp.emulate()); err != nil {
			cancel()
			c.t.Fatalf("viewport %s: %v", vp.name, err)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			c.t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(c.shots, name+"-"+vp.name+".png")
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			c.t.Fatal(err)
		}
	}
	c.step("back to the phone viewport", phone.emulate())
}
