package ratelimit

import (
	"net/http/httptest"
	"testing"
)

func TestClientIPIgnoresForwardedForUnlessThePeerIsTrusted(t *testing.T) {
	trusted, err := ParsePrefixes("10.0.0.0/8, 192.0.2.1, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		trusted bool
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: the peer", false, "203.0.113.9:5555", []string{"198.51.100.1"}, "203.0.113.9"},
		{"untrusted peer: header ignored", true, "203.0.113.9:5555", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted peer: the hop it reports", true, "10.1.2.3:5555", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a forged left part is skipped", true, "10.1.2.3:5555", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", true, "10.1.2.3:5555", []string{"198.51.100.1, 192.0.2.1", "10.9.9.9"}, "198.51.100.1"},
		{"all hops trusted: the leftmost", true, "10.1.2.3:5555", []string{"10.0.0.7, 192.0.2.1"}, "10.0.0.7"},
		{"garbage ends the walk at the last trusted hop", true, "10.1.2.3:5555", []string{"198.51.100.1, nonsense, 192.0.2.1"}, "192.0.2.1"},
		{"no header: the proxy itself", true, "10.1.2.3:5555", nil, "10.1.2.3"},
		{"IPv6 peer", false, "[2001:db8::1]:443", nil, "2001:db8::1"},
		{"IPv4-mapped peer", false, "[::ffff:203.0.113.9]:443", nil, "203.0.113.9"},
		{"hop with a port", true, "[fd00::1]:443", []string{"198.51.100.1:4711"}, "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &ClientIPs{}
			if tc.trusted {
				c = NewClientIPs(trusted)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := c.IP(r).String(); got != tc.want {
				t.Errorf("IP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestKeyGroupsAnIPv6SlashSixtyFour(t *testing.T) {
	c := &ClientIPs{}
	key := func(remote string) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		return c.Key(r)
	}
	if a, b := key("[2001:db8:1:2::1]:1"), key("[2001:db8:1:2:ffff::9]:2"); a != b || a != "2001:db8:1:2::/64" {
		t.Errorf("one /64 gave keys %q and %q", a, b)
	}
	if a, b := key("[2001:db8:1:2::1]:1"), key("[2001:db8:1:3::1]:1"); a == b {
		t.Errorf("two /64s share the key %q", a)
	}
	if got := key("127.0.0.1:4000"); got != "127.0.0.1" {
		t.Errorf("IPv4 key %q", got)
	}
}

func TestParsePrefixesRefusesNonsense(t *testing.T) {
	if _, err := ParsePrefixes("10.0.0.0/8,not-a-cidr"); err == nil {
		t.Fatal("no error for not-a-cidr")
	}
	if p, err := ParsePrefixes(" "); err != nil || p != nil {
		t.Fatalf("empty list: %v %v", p, err)
	}
	p, err := ParsePrefixes("10.1.2.3/8")
	if err != nil || p[0].String() != "10.0.0.0/8" {
		t.Fatalf("10.1.2.3/8 gave %v %v, want masked 10.0.0.0/8", p, err)
	}
}
