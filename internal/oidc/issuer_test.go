package oidc

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// spoofing is a transport that sends every request with another Host and
// forwarding headers, as a misconfigured or hostile proxy might.
type spoofing struct{ next http.RoundTripper }

func (s spoofing) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = "evil.example"
	r.Header.Set("X-Forwarded-Host", "evil.example")
	r.Header.Set("X-Forwarded-Proto", "https")
	r.Header.Set("Forwarded", "host=evil.example;proto=https")
	return s.next.RoundTrip(r)
}

func TestSSO1_IssuerComesFromConfigurationOnly(t *testing.T) {
	h := newHarness(t)
	spoofed := &http.Client{Transport: spoofing{http.DefaultTransport}}

	t.Run("discovery", func(t *testing.T) {
		resp, err := spoofed.Get(h.cfg.URL("/.well-known/openid-configuration"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var d map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			t.Fatal(err)
		}
		if d["issuer"] != h.cfg.Issuer {
			t.Errorf("issuer = %v, want %s", d["issuer"], h.cfg.Issuer)
		}
		for k, v := range d {
			if s, ok := v.(string); ok && strings.HasPrefix(s, "http") && !strings.HasPrefix(s, h.cfg.Issuer+"/") && k != "issuer" {
				t.Errorf("%s = %s, not under the issuer", k, s)
			}
		}
	})

	t.Run("whole flow", func(t *testing.T) {
		browser := h.browser()
		browser.Transport = spoofing{http.DefaultTransport}
		r := h.portalRP()
		ctx := gooidc.ClientContext(h.ctx, spoofed)
		// Each redirect the provider makes must point at the issuer.
		browser.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
			if !strings.HasPrefix(req.URL.String(), h.cfg.Issuer+"/") {
				return http.ErrUseLastResponse
			}
			return nil
		}
		resp, err := browser.Get(r.oauth.AuthCodeURL("st"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if !strings.HasPrefix(loc.String(), portalRedirect+"?") || loc.Query().Get("code") == "" {
			t.Fatalf("flow ended at %s, want the portal with a code", loc)
		}
		tok, err := r.oauth.Exchange(ctx, loc.Query().Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		if _, err := r.verifier.Verify(h.ctx, raw); err != nil { // checks iss
			t.Errorf("ID token: %v", err)
		}
	})

	t.Run("end_session", func(t *testing.T) {
		c := *spoofed
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := c.Get(h.cfg.URL("/end_session?client_id=portal"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, h.cfg.Issuer+"/logout?") {
			t.Errorf("end_session redirected to %q", loc)
		}
	})
}
