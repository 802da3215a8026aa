// Package config holds EntryKeyID's one typed configuration. It is loaded
// once, from flags and ENTRYKEYID_* environment variables, by package cli,
// validated as a whole (every problem reported at once) and passed down by
// value. No other package reads the environment.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/ratelimit"
)

// Config is the whole configuration.
type Config struct {
	Addr     string // listen address, e.g. 127.0.0.1:8080
	Issuer   string // public base URL; every link is built from it
	DataDir  string // SQLite database, mail folder, keys
	Database string // PostgreSQL URL; empty means SQLite in DataDir
	SMTP     string // smtp:// or smtps:// URL; empty means .eml files
	MailFrom string // From address of every email
	Dev      bool   // development inbox at /dev/mail; only with a loopback Addr

	// MetricsAddr is the listen address of /metrics, apart from Addr so
	// that it need not be public; empty serves /metrics on Addr.
	MetricsAddr string

	RateLimits RateLimits

	SigningAlg string // RS256 (default) or ES256

	Argon2 Argon2
	Policy PasswordPolicy

	SessionIdle     time.Duration // SSO-2, default 60m
	SessionMax      time.Duration // SSO-2, default 12h
	RememberMe      time.Duration // LOGIN-4, default 30 days
	ActivationTTL   time.Duration // ACC-2, default 7 days
	AccessTokenTTL  time.Duration // default 15m
	RefreshTokenTTL time.Duration // default 12h
	AuthRequestTTL  time.Duration // default 30m

	LogLevel string // debug, info, warn, error

	Lifecycle Lifecycle
}

// Enumeration protection levels (LOGIN-2).
const (
	EnumerationStandard = "standard" // screen 1 shows the account's state
	EnumerationStrict   = "strict"   // state messages only after a correct password
)

// Lifecycle holds the settings of passwords and accounts over time
// (PWD-2, PWD-3, PWD-4, PWD-8, LOGIN-2). Member values apply to accounts of
// type member, NonMember values to non-members (the strictest type the
// account holds).
type Lifecycle struct {
	PasswordMaxAgeMember    time.Duration // PWD-3, default 365 days
	PasswordMaxAgeNonMember time.Duration // PWD-3, default 90 days
	DormancyMember          time.Duration // PWD-4, default 365 days without sign-in
	DormancyNonMember       time.Duration // PWD-4, default 90 days without sign-in
	// PasswordHistory is how many previous passwords a new one must differ
	// from (PWD-2); 0, the default, allows re-using the previous password.
	PasswordHistory int
	// ExpiryWarningDays sends one email that many days before a password
	// expires (PWD-8); 0, the default, sends none (as the original system).
	ExpiryWarningDays int
	// SweepEvery is how often the background sweeper runs (dormancy locks,
	// expiry warnings); default 10 minutes.
	SweepEvery time.Duration
	// EnumerationProtection is EnumerationStandard (default) or
	// EnumerationStrict (LOGIN-2).
	EnumerationProtection string
}

// DefaultLifecycle returns the lifecycle settings of SPEC PWD-2..PWD-4.
func DefaultLifecycle() Lifecycle {
	const day = 24 * time.Hour
	return Lifecycle{
		PasswordMaxAgeMember:    365 * day,
		PasswordMaxAgeNonMember: 90 * day,
		DormancyMember:          365 * day,
		DormancyNonMember:       90 * day,
		SweepEvery:              10 * time.Minute,
		EnumerationProtection:   EnumerationStandard,
	}
}

// RateLimits are the per-node request limits of docs/SECURITY.md, per
// client address (and per client id at the token endpoints).
type RateLimits struct {
	SignIn      Rate // POST /login/password, /signup, /activate, /activate/resend; per address
	Authorize   Rate // /authorize and /authorize/callback; per address
	Token       Rate // /oauth/token, /oauth/introspect, /oauth/revoke; per address
	TokenClient Rate // the same endpoints, per client_id

	// TrustedProxies is a comma-separated list of CIDR prefixes of the
	// reverse proxies whose X-Forwarded-For names the client. Empty: the
	// client is the connection's peer, and X-Forwarded-For is ignored.
	TrustedProxies string
}

// Rate is a token bucket: Burst requests at once, then Count every Per.
// The zero Rate (Count 0) is unlimited.
type Rate struct {
	Count int
	Per   time.Duration
	Burst int
}

// Unlimited reports whether r lets every request through.
func (r Rate) Unlimited() bool { return r.Count == 0 }

// PerSecond is r's refill rate in tokens per second (0 when unlimited).
func (r Rate) PerSecond() float64 {
	if r.Unlimited() || r.Per <= 0 {
		return 0
	}
	return float64(r.Count) / r.Per.Seconds()
}

// DefaultRateLimits are the limits Default uses: tight where a request
// costs an argon2id hash or can guess a link, generous where portals'
// servers call many times a second.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		SignIn:      Rate{Count: 10, Per: time.Minute, Burst: 10},
		Authorize:   Rate{Count: 20, Per: time.Second, Burst: 40},
		Token:       Rate{Count: 50, Per: time.Second, Burst: 100},
		TokenClient: Rate{Count: 50, Per: time.Second, Burst: 100},
	}
}

// LoadTestRateLimits are limits that a load generator on one address
// never reaches (`entrykeyid bench` serves with them): the limiter still
// runs, so its cost is measured, but never refuses.
func LoadTestRateLimits() RateLimits {
	high := Rate{Count: 1_000_000, Per: time.Second, Burst: 1_000_000}
	return RateLimits{SignIn: high, Authorize: high, Token: high, TokenClient: high}
}

// Argon2 holds argon2id parameters (PWD-7).
type Argon2 struct {
	MemoryKiB   uint32 // default 19456 (19 MiB)
	Iterations  uint32 // default 2
	Parallelism uint8  // default 1
}

// PasswordPolicy is the composition rule of PWD-1.
type PasswordPolicy struct {
	MinLength  int // default 8
	MaxLength  int // default 128
	MinClasses int // of upper, lower, digit, special; default 3
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		Issuer:          "http://127.0.0.1:8080",
		DataDir:         "./entrykeyid-data",
		MailFrom:        "EntryKeyID <no-reply@entrykeyid.test>",
		MetricsAddr:     "127.0.0.1:9464",
		RateLimits:      DefaultRateLimits(),
		SigningAlg:      "RS256",
		Argon2:          Argon2{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1},
		Policy:          PasswordPolicy{MinLength: 8, MaxLength: 128, MinClasses: 3},
		SessionIdle:     60 * time.Minute,
		SessionMax:      12 * time.Hour,
		RememberMe:      30 * 24 * time.Hour,
		ActivationTTL:   7 * 24 * time.Hour,
		AccessTokenTTL:  15 * time.Minute,
		RefreshTokenTTL: 12 * time.Hour,
		AuthRequestTTL:  30 * time.Minute,
		LogLevel:        "info",
		Lifecycle:       DefaultLifecycle(),
	}
}

// SecureCookies reports whether cookies must carry the Secure flag: when
// the issuer is https.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.Issuer, "https://") }

// URL joins path onto the issuer. Links are built only from the issuer,
// never from a request's Host header.
func (c Config) URL(path string) string {
	return strings.TrimRight(c.Issuer, "/") + "/" + strings.TrimLeft(path, "/")
}

// Validate checks every field and returns all problems at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Addr == "" {
		bad("addr", "must not be empty")
	} else if err := checkListenAddr(c.Addr); err != nil {
		bad("addr", "%v", err)
	}
	if c.Dev && c.Addr != "" && !IsLoopback(c.Addr) {
		bad("dev", "development mode (an open inbox of every email) listens only on a loopback address "+
			"(127.0.0.0/8, ::1 or localhost); --addr is %q", c.Addr)
	}
	if c.MetricsAddr != "" {
		if err := checkListenAddr(c.MetricsAddr); err != nil {
			bad("metrics-addr", "%v (or empty to serve /metrics on --addr)", err)
		}
	}
	for name, r := range map[string]Rate{
		"rate-signin": c.RateLimits.SignIn, "rate-authorize": c.RateLimits.Authorize,
		"rate-token": c.RateLimits.Token, "rate-token-client": c.RateLimits.TokenClient,
	} {
		if r.Count < 0 || (r.Count > 0 && (r.Per <= 0 || r.Burst < 1)) {
			bad(name, "must be a positive count per positive period with a burst of at least 1, or off")
		}
	}
	if _, err := c.RateLimits.Proxies(); err != nil {
		bad("trusted-proxies", "%v", err)
	}
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("issuer", "must be an absolute http or https URL, got %q", c.Issuer)
	} else if u.RawQuery != "" || u.Fragment != "" {
		bad("issuer", "must not have a query or fragment")
	}
	lc := c.Lifecycle
	for name, d := range map[string]time.Duration{
		"password-max-age-member": lc.PasswordMaxAgeMember, "password-max-age-non-member": lc.PasswordMaxAgeNonMember,
		"dormancy-member": lc.DormancyMember, "dormancy-non-member": lc.DormancyNonMember,
		"sweep-every": lc.SweepEvery,
	} {
		if d <= 0 {
			bad(name, "must be a positive duration")
		}
	}
	if lc.PasswordHistory < 0 || lc.PasswordHistory > 24 {
		bad("password-history", "must be between 0 and 24")
	}
	if lc.ExpiryWarningDays < 0 {
		bad("expiry-warning-days", "must be 0 (off) or a positive number of days")
	}
	if lc.EnumerationProtection != EnumerationStandard && lc.EnumerationProtection != EnumerationStrict {
		bad("enumeration-protection", "must be standard or strict, got %q", lc.EnumerationProtection)
	}
	if c.Database == "" && c.DataDir == "" {
		bad("data-dir", "must not be empty when no database URL is given")
	}
	if c.Database != "" {
		if u, err := url.Parse(c.Database); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("database", "must be a postgres:// URL")
		}
	}
	if c.SMTP != "" {
		if u, err := url.Parse(c.SMTP); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("smtp", "must be an smtp:// or smtps:// URL with a host")
		}
	}
	if c.SigningAlg != "RS256" && c.SigningAlg != "ES256" {
		bad("signing-alg", "must be RS256 or ES256, got %q", c.SigningAlg)
	}
	if c.Argon2.MemoryKiB < 8*1024 {
		bad("argon2-memory", "must be at least 8192 KiB")
	}
	if c.Argon2.Iterations < 1 {
		bad("argon2-iterations", "must be at least 1")
	}
	if c.Argon2.Parallelism < 1 {
		bad("argon2-parallelism", "must be at least 1")
	}
	if c.Policy.MinLength < 8 {
		bad("password-min-length", "must be at least 8")
	}
	if c.Policy.MaxLength < 128 || c.Policy.MaxLength > 4096 {
		bad("password-max-length", "must be between 128 and 4096")
	}
	if c.Policy.MinLength > c.Policy.MaxLength {
		bad("password-min-length", "is %d, longer than --password-max-length %d, so no password could be accepted; "+
			"lower it or raise --password-max-length", c.Policy.MinLength, c.Policy.MaxLength)
	}
	if c.Policy.MinClasses < 0 || c.Policy.MinClasses > 4 {
		bad("password-min-classes", "must be between 0 and 4")
	}
	for name, d := range map[string]time.Duration{
		"session-idle": c.SessionIdle, "session-max": c.SessionMax, "remember-me": c.RememberMe,
		"activation-ttl": c.ActivationTTL, "access-token-ttl": c.AccessTokenTTL,
		"refresh-token-ttl": c.RefreshTokenTTL, "auth-request-ttl": c.AuthRequestTTL,
	} {
		if d <= 0 {
			bad(name, "must be a positive duration")
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", "must be debug, info, warn or error")
	}
	return errors.Join(errs...)
}

// checkListenAddr checks that addr is host:port with a numeric port, as
// net.Listen takes it, without resolving or binding anything.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("must be host:port, like 127.0.0.1:8080 or :8080; got %q", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("the port must be a number from 0 to 65535; got %q", addr)
	}
	return nil
}

// IsLoopback reports whether addr (host:port) binds only loopback
// interfaces: a 127.0.0.0/8 or ::1 address, or localhost. An empty host
// (every interface) is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && isLoopbackHost(host)
}

// Proxies parses TrustedProxies: comma-separated CIDR prefixes, a bare
// address standing for itself alone.
func (r RateLimits) Proxies() ([]netip.Prefix, error) {
	return ratelimit.ParsePrefixes(r.TrustedProxies)
}

// PasswordMaxAge is how long a password of an account of the given type
// lives (PWD-3): "" and "member" are members, "non_member" non-members;
// an unknown type gets the shorter of the two (the strictest).
func (l Lifecycle) PasswordMaxAge(accountType string) time.Duration {
	return l.byType(accountType, l.PasswordMaxAgeMember, l.PasswordMaxAgeNonMember)
}

// Dormancy is how long an account of the given type may go without
// sign-in before it is locked (PWD-4); types as in PasswordMaxAge.
func (l Lifecycle) Dormancy(accountType string) time.Duration {
	return l.byType(accountType, l.DormancyMember, l.DormancyNonMember)
}

func (l Lifecycle) byType(accountType string, member, nonMember time.Duration) time.Duration {
	switch accountType {
	case "", "member":
		return member
	case "non_member":
		return nonMember
	}
	return min(member, nonMember)
}
