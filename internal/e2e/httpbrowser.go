package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// HTTPBrowser is a browser without JavaScript made of an http.Client and a
// cookie jar: it follows redirects, keeps cookies per origin, and submits
// the forms of the page it shows. A redirect to a URL starting with one of
// StopAt is not followed; Location then holds it.
type HTTPBrowser struct {
	t      testing.TB
	Client *http.Client
	StopAt []string

	URL      *url.URL // the page shown
	Status   int
	Body     string
	Location string // the redirect stopped at, if any
}

// NewHTTPBrowser returns a browser with an empty cookie jar.
func NewHTTPBrowser(t testing.TB, stopAt ...string) *HTTPBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &HTTPBrowser{t: t, StopAt: stopAt}
	b.Client = &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 20 {
				return http.ErrUseLastResponse
			}
			for _, p := range b.StopAt {
				if strings.HasPrefix(req.URL.String(), p) {
					return http.ErrUseLastResponse
				}
			}
			return nil
		},
	}
	return b
}

// Get opens rawURL.
func (b *HTTPBrowser) Get(rawURL string) *HTTPBrowser {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		b.t.Fatalf("GET %s: %v", rawURL, err)
	}
	return b.do(req)
}

// Submit takes the first POST form of the page that has every field in
// values, sets those values over the form's own (the CSRF token and other
// hidden fields stay), and posts it from the page's origin, as a browser
// does.
func (b *HTTPBrowser) Submit(values map[string]string) *HTTPBrowser {
	b.t.Helper()
	if b.URL == nil {
		b.t.Fatal("Submit before any page was opened")
	}
	var form *Form
	forms := ParseForms(b.Body, b.URL)
	for i := range forms {
		f := forms[i]
		if f.Method != http.MethodPost {
			continue
		}
		ok := true
		for name := range values {
			if !f.Has(name) {
				ok = false
				break
			}
		}
		if ok {
			form = &f
			break
		}
	}
	if form == nil {
		b.t.Fatalf("no POST form with fields %v on %s (screen %q):\n%s", keys(values), b.URL, Screen(b.Body), b.Body)
	}
	for k, v := range values {
		form.Fields.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, form.Action, strings.NewReader(form.Fields.Encode()))
	if err != nil {
		b.t.Fatalf("POST %s: %v", form.Action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.URL.Scheme+"://"+b.URL.Host)
	req.Header.Set("Referer", b.URL.String())
	return b.do(req)
}

func (b *HTTPBrowser) do(req *http.Request) *HTTPBrowser {
	b.t.Helper()
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		b.t.Fatalf("read %s: %v", resp.Request.URL, err)
	}
	b.URL = resp.Request.URL
	b.Status = resp.StatusCode
	b.Body = string(body)
	b.Location = ""
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		b.Location = resp.Header.Get("Location")
	}
	return b
}

// Screen returns the data-screen name of the page shown.
func (b *HTTPBrowser) Screen() string { return Screen(b.Body) }

// ExpectScreen fails the test unless the page shown is the named screen.
func (b *HTTPBrowser) ExpectScreen(name string) *HTTPBrowser {
	b.t.Helper()
	if got := b.Screen(); got != name {
		b.t.Fatalf("at %s (status %d) want screen %q, got %q:\n%s", b.URL, b.Status, name, got, b.Body)
	}
	return b
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
