package config

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// IssuerFor is the issuer of a server listening on addr (host:port) when
// none is configured: http://127.0.0.1:PORT when the host is empty, an
// every-interface address (0.0.0.0, ::) or localhost, and http://HOST:PORT
// otherwise. It returns "" when addr is not host:port.
func IssuerFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip, err := netip.ParseAddr(host); host == "" || strings.EqualFold(host, "localhost") ||
		(err == nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// IssuerPortMismatch reports whether the issuer names this machine (a
// loopback host) on a port other than the one Addr listens on, which
// usually means links would point at a server that is not there. It
// returns both ports. A reverse proxy on the issuer's port may make it
// right, so this is a reason to warn, not to refuse. Port 0 in Addr (the
// system picks one) never mismatches.
func (c Config) IssuerPortMismatch() (issuerPort, addrPort string, mismatch bool) {
	_, addrPort, err := net.SplitHostPort(c.Addr)
	if err != nil || addrPort == "0" {
		return "", addrPort, false
	}
	u, err := url.Parse(c.Issuer)
	if err != nil || !isLoopbackHost(u.Hostname()) {
		return "", addrPort, false
	}
	issuerPort = u.Port()
	if issuerPort == "" {
		issuerPort = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return issuerPort, addrPort, issuerPort != addrPort
}

// isLoopbackHost reports whether host is localhost or a loopback address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
