package server_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// browser is a cookie-keeping HTTP client that records every URL it
// visits, following redirects as a browser does.
type browser struct {
	t      *testing.T
	client *http.Client
	mu     sync.Mutex
	paths  []string // every path requested, redirects included
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t}
	b.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		b.visit(req.URL)
		if len(via) >= 15 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

func (b *browser) visit(u *url.URL) {
	b.mu.Lock()
	b.paths = append(b.paths, u.Host+u.Path)
	b.mu.Unlock()
}

// visited returns the paths requested since the last call.
func (b *browser) visited() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.paths
	b.paths = nil
	return p
}

// page is a response as read by the browser.
type page struct {
	URL    *url.URL
	Status int
	Body   string
}

// Screen returns the data-screen of the page's <main>.
func (p *page) Screen() string {
	m := regexp.MustCompile(`<main[^>]*data-screen="([^"]*)"`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	b.visit(req.URL)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return &page{URL: resp.Request.URL, Status: resp.StatusCode, Body: string(body)}
}

// get opens a URL.
func (b *browser) get(rawURL string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// submit fills the page's form whose action ends with action and posts
// it, as a browser would from that page's origin: the form's own fields
// (hidden ones included) with fields set over them.
func (b *browser) submit(p *page, action string, fields map[string]string) *page {
	b.t.Helper()
	form, target := findForm(p, action)
	if form == nil {
		b.t.Fatalf("no form posting to %q on %s (screen %q):\n%s", action, p.URL, p.Screen(), p.Body)
	}
	for k, v := range fields {
		form.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.URL.Scheme+"://"+p.URL.Host)
	return b.do(req)
}

var (
	formPattern  = regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	inputPattern = regexp.MustCompile(`<input\b[^>]*>`)
	attrPattern  = regexp.MustCompile(`([a-zA-Z_-]+)="([^"]*)"`)
)

// findForm returns the values of the POST form whose action ends with
// action, and its absolute target URL.
func findForm(p *page, action string) (url.Values, string) {
	for _, m := range formPattern.FindAllStringSubmatch(p.Body, -1) {
		target := html.UnescapeString(m[1])
		if !strings.HasSuffix(strings.SplitN(target, "?", 2)[0], action) {
			continue
		}
		u, err := p.URL.Parse(target)
		if err != nil {
			return nil, ""
		}
		values := url.Values{}
		for _, in := range inputPattern.FindAllString(m[2], -1) {
			attrs := map[string]string{}
			for _, a := range attrPattern.FindAllStringSubmatch(in, -1) {
				attrs[a[1]] = html.UnescapeString(a[2])
			}
			if attrs["name"] == "" || attrs["type"] == "checkbox" {
				continue
			}
			values.Set(attrs["name"], attrs["value"])
		}
		return values, u.String()
	}
	return nil, ""
}

// link returns the absolute href of the element with the id.
func (p *page) link(id string) string {
	m := regexp.MustCompile(`<a\b[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(p.Body)
	href := attrPattern.FindAllStringSubmatch(m, -1)
	for _, a := range href {
		if a[1] == "href" {
			u, err := p.URL.Parse(html.UnescapeString(a[2]))
			if err == nil {
				return u.String()
			}
		}
	}
	return ""
}
