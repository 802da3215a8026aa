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
