package cli

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// clientIDPattern is what a client id may look like: it travels in URLs
// and logs, so it stays plain.
var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// validateClient checks a client to register and returns every problem
// at once.
func validateClient(c *domain.Client) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !clientIDPattern.MatchString(c.ID) {
		bad("--id: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; got %q", c.ID)
	}
	if strings.TrimSpace(c.Name) == "" {
		bad("--name: required")
	}
	if len(c.RedirectURIs) == 0 {
		bad("--redirect-uri: at least one is required")
	}
	for _, u := range c.RedirectURIs {
		if err := checkClientURI(u); err != nil {
			bad("--redirect-uri %q: %v", u, err)
		}
	}
	for _, u := range c.PostLogoutRedirectURIs {
		if err := checkClientURI(u); err != nil {
			bad("--post-logout-redirect-uri %q: %v", u, err)
		}
	}
	if c.BackchannelLogoutURI != "" {
		if err := checkClientURI(c.BackchannelLogoutURI); err != nil {
			bad("--backchannel-logout-uri %q: %v", c.BackchannelLogoutURI, err)
		}
	}
	if !slices.Contains(domain.PortalTypes, c.PortalType) {
		bad("--portal-type: must be one of %s; got %q", strings.Join(domain.PortalTypes, ", "), c.PortalType)
	}
	return errors.Join(errs...)
}

// checkClientURI accepts an absolute https URI without a fragment or
// user info, and plain http only on the loopback host (development).
// Redirect URIs are matched exactly, so nothing is normalized.
func checkClientURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URI")
	}
	switch {
	case !u.IsAbs() || u.Host == "":
		return errors.New("must be an absolute URI with a host")
	case strings.Contains(raw, "#"):
		return errors.New("must not have a fragment")
	case u.User != nil:
		return errors.New("must not carry a user name or password")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return errors.New("must use https (plain http only for 127.0.0.1, [::1] or localhost)")
	}
	return fmt.Errorf("scheme %q is not allowed; use https", u.Scheme)
}

func isLoopback(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}
