package config

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestDevOnlyOnALoopbackAddress(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080":      true,
		"127.8.9.1:80":        true,
		"[::1]:8080":          true,
		"localhost:8080":      true,
		"LocalHost:0":         true,
		":8080":               false, // every interface
		"0.0.0.0:8080":        false,
		"[::]:8080":           false,
		"10.0.0.5:8080":       false,
		"id.example.org:8080": false,
	} {
		c := Default()
		c.Dev, c.Addr = true, addr
		err := c.Validate()
		if (err == nil) != ok {
			t.Errorf("dev on %s: %v, want ok=%v", addr, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "dev: ") {
			t.Errorf("dev on %s: the error does not name dev: %v", addr, err)
		}
		c.Dev = false
		if err := c.Validate(); err != nil {
			t.Errorf("without dev, %s: %v", addr, err)
		}
	}
}

func TestRateLimitsAndProxiesAreValidated(t *testing.T) {
	c := Default()
	c.RateLimits.SignIn = Rate{Count: 5, Per: 0, Burst: 5}
	c.RateLimits.Token = Rate{Count: 5, Per: time.Second, Burst: 0}
	c.RateLimits.Authorize = Rate{} // off: fine
	c.RateLimits.TrustedProxies = "10.0.0.0/8, bogus"
	c.MetricsAddr = "9464"
	err := c.Validate()
	for _, want := range []string{"rate-signin:", "rate-token:", "trusted-proxies:", "metrics-addr:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "rate-authorize") {
		t.Errorf("an unlimited rate was refused: %v", err)
	}
	if got := (Rate{Count: 10, Per: time.Minute, Burst: 10}).PerSecond(); got != 10.0/60 {
		t.Errorf("10 a minute = %v/s", got)
	}
}

func TestPasswordMinLengthAboveMaxIsRefused(t *testing.T) {
	c := Default()
	c.Policy.MinLength = 200 // max is 128: no password could pass
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "password-min-length:") || !strings.Contains(err.Error(), "password-max-length 128") {
		t.Fatalf("min 200 > max 128: %v, want a password-min-length error naming the maximum", err)
	}
	c.Policy.MaxLength = 200
	if err := c.Validate(); err != nil {
		t.Errorf("min 200 = max 200: %v", err)
	}
}

func TestListenAddressesAreHostPort(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080":  true,
		":8095":           true,
		"[::1]:0":         true,
		"localhost:65535": true,
		"nonsense":        false,
		"127.0.0.1":       false,
		"127.0.0.1:http":  false,
		":99999":          false,
		":-1":             false,
		"[::1:8080":       false,
	} {
		c := Default()
		c.Addr, c.MetricsAddr = addr, addr
		err := c.Validate()
		if (err == nil) != ok {
			t.Errorf("addr %q: %v, want ok=%v", addr, err, ok)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "addr: ") || !strings.Contains(err.Error(), "metrics-addr: ")) {
			t.Errorf("addr %q: the error names neither addr nor metrics-addr: %v", addr, err)
		}
	}
}

func TestIssuerForAnAddress(t *testing.T) {
	for addr, want := range map[string]string{
		":8095":            "http://127.0.0.1:8095",
		"0.0.0.0:8095":     "http://127.0.0.1:8095",
		"[::]:8095":        "http://127.0.0.1:8095",
		"localhost:8095":   "http://127.0.0.1:8095",
		"127.0.0.1:8095":   "http://127.0.0.1:8095",
		"[::1]:8095":       "http://[::1]:8095",
		"10.0.0.5:80":      "http://10.0.0.5:80",
		"id.example.org:8": "http://id.example.org:8",
		"nonsense":         "",
	} {
		if got := IssuerFor(addr); got != want {
			t.Errorf("IssuerFor(%q) = %q, want %q", addr, got, want)
		}
	}
	if got := IssuerFor(Default().Addr); got != Default().Issuer {
		t.Errorf("the default issuer %s is not the one of the default address (%s)", Default().Issuer, got)
	}
}

func TestIssuerPortMismatchOnlyForALoopbackIssuer(t *testing.T) {
	for _, tc := range []struct {
		addr, issuer string
		mismatch     bool
	}{
		{":8095", "http://127.0.0.1:8080", true},
		{":8095", "http://localhost:8095", false},
		{"127.0.0.1:8095", "http://[::1]", true}, // port 80
		{"127.0.0.1:443", "https://127.0.0.1", false},
		{":8095", "https://id.example.org", false}, // a proxy in front
		{"127.0.0.1:0", "http://127.0.0.1:8080", false},
	} {
		c := Default()
		c.Addr, c.Issuer = tc.addr, tc.issuer
		if _, _, got := c.IssuerPortMismatch(); got != tc.mismatch {
			t.Errorf("addr %s, issuer %s: mismatch %v, want %v", tc.addr, tc.issuer, got, tc.mismatch)
		}
	}
}
