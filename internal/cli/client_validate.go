package cli

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// clientIDPattern is what a client id may look like: it travels in URLs
// and logs, so it stays plain, and it is lower case only, so that two ids
// never differ only in letter case (Member-Portal and member-portal).
var clientIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// maxClientName is the longest client name, in characters.
const maxClientName = 100

// validateClient checks a client to register and returns every problem
// at once.
func validateClient(c *domain.Client) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !clientIDPattern.MatchString(c.ID) {
		bad("--id: must be 1 to 64 lower-case letters (a-z), digits, '.', '_' or '-', starting with a letter or digit; got %q", c.ID)
	}
	if err := checkClientName(c.Name); err != nil {
		bad("--name: %v", err)
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
	case strings.Contains(u.Host, "*") || strings.Contains(u.Hostname(), "*"):
		return errors.New("must name one host: wildcards (*) are not allowed, redirect URIs are matched exactly")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return errors.New("must use https (plain http only for 127.0.0.1, [::1] or localhost)")
	}
	return fmt.Errorf("scheme %q is not allowed; use https", u.Scheme)
}

// checkClientName accepts a name people can read: not blank, at most
// maxClientName characters of valid UTF-8, and no control characters
// (escape codes that would drive a terminal showing `client list`) or
// bidirectional overrides (which reorder the text shown after them).
func checkClientName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("required")
	case !utf8.ValidString(name):
		return errors.New("must be valid UTF-8 text")
	case utf8.RuneCountInString(name) > maxClientName:
		return fmt.Errorf("must be at most %d characters; got %d", maxClientName, utf8.RuneCountInString(name))
	}
	for _, r := range name {
		if unsafeRune(r) {
			return fmt.Errorf("must not contain control characters or escape codes; got %s", strconv.QuoteToASCII(name))
		}
	}
	return nil
}

// unsafeRune reports whether r is a control character (C0, DEL, C1) or a
// bidirectional formatting character.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
}

func isLoopback(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}
