package cli

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// configFlags binds configuration flags to a config.Config. Each of them
// also reads ENTRYKEYID_<NAME> (dashes become underscores): a flag given
// on the command line beats the environment, which beats the default.
type configFlags struct {
	fs    *flag.FlagSet
	cfg   *config.Config
	names []string        // flags that read the environment
	set   map[string]bool // flags given by the environment or on the command line

	// deriveIssuer makes load set the issuer from --addr when neither
	// --issuer nor ENTRYKEYID_ISSUER gives one.
	deriveIssuer bool
}

// bindStorage defines the flags that choose the database: every command
// that opens it takes them.
func bindStorage(fs *flag.FlagSet, cfg *config.Config) *configFlags {
	c := &configFlags{fs: fs, cfg: cfg}
	c.str(&cfg.DataDir, "data-dir", "folder of the SQLite database and of the mail files")
	c.str(&cfg.Database, "database", "PostgreSQL URL (postgres://user:pass@host/db); empty means SQLite in --data-dir")
	return c
}

// bindServe defines every flag of the server's configuration.
func bindServe(fs *flag.FlagSet, cfg *config.Config) *configFlags {
	c := bindStorage(fs, cfg)
	c.str(&cfg.Addr, "addr", "address to listen on")
	// The issuer's default follows --addr (load derives it), so the flag
	// shows none of its own.
	c.fs.StringVar(&cfg.Issuer, "issuer", "", "public base URL of the identity provider; every link is built from it "+
		"(default http://127.0.0.1:PORT with --addr's PORT, or http://HOST:PORT when --addr names a host)")
	c.names = append(c.names, "issuer")
	c.deriveIssuer = true
	c.str(&cfg.SMTP, "smtp", "SMTP relay, smtp://user:pass@host:587 (STARTTLS) or smtps://...; empty writes .eml files into <data-dir>/mail")
	c.str(&cfg.MailFrom, "mail-from", "From address of every email")
	c.boolean(&cfg.Dev, "dev", "development mode: an inbox of the written email at /dev/mail (only with a loopback --addr)")
	c.str(&cfg.MetricsAddr, "metrics-addr", "address of the Prometheus /metrics listener; empty serves /metrics on --addr")
	c.str(&cfg.SigningAlg, "signing-alg", "ID token signing algorithm: RS256 or ES256")
	c.str(&cfg.LogLevel, "log-level", "debug, info, warn or error")
	c.value(&uintValue[uint32]{&cfg.Argon2.MemoryKiB}, "argon2-memory", "argon2id memory in KiB")
	c.value(&uintValue[uint32]{&cfg.Argon2.Iterations}, "argon2-iterations", "argon2id iterations")
	c.value(&uintValue[uint8]{&cfg.Argon2.Parallelism}, "argon2-parallelism", "argon2id parallelism")
	c.integer(&cfg.Policy.MinLength, "password-min-length", "shortest password allowed")
	c.integer(&cfg.Policy.MaxLength, "password-max-length", "longest password allowed")
	c.integer(&cfg.Policy.MinClasses, "password-min-classes", "character classes (upper, lower, digit, special) a password needs")
	c.duration(&cfg.SessionIdle, "session-idle", "sign-in session idle timeout")
	c.duration(&cfg.SessionMax, "session-max", "sign-in session maximum lifetime")
	c.duration(&cfg.RememberMe, "remember-me", "how long \"remember me\" remembers the email address")
	c.duration(&cfg.ActivationTTL, "activation-ttl", "lifetime of an activation link")
	c.duration(&cfg.AccessTokenTTL, "access-token-ttl", "lifetime of an access token")
	c.duration(&cfg.RefreshTokenTTL, "refresh-token-ttl", "lifetime of a refresh token")
	c.duration(&cfg.AuthRequestTTL, "auth-request-ttl", "how long an authorization request waits for the sign-in")
	bindRateLimits(c, &cfg.RateLimits)
	bindLifecycle(c, &cfg.Lifecycle)
	return c
}

// bindLifecycle defines the account lifecycle flags (PWD-2..PWD-4, PWD-8, LOGIN-2).
func bindLifecycle(c *configFlags, l *config.Lifecycle) {
	c.duration(&l.PasswordMaxAgeMember, "password-max-age-member", "a member's password expires after this long (PWD-3)")
	c.duration(&l.PasswordMaxAgeNonMember, "password-max-age-non-member", "a non-member's password expires after this long (PWD-3)")
	c.duration(&l.DormancyMember, "dormancy-member", "a member account without sign-in for this long is locked (PWD-4)")
	c.duration(&l.DormancyNonMember, "dormancy-non-member", "a non-member account without sign-in for this long is locked (PWD-4)")
	c.integer(&l.PasswordHistory, "password-history", "how many previous passwords a new one must differ from; 0 allows re-use (PWD-2)")
	c.integer(&l.ExpiryWarningDays, "expiry-warning-days", "email a warning this many days before a password expires; 0 sends none (PWD-8)")
	c.duration(&l.SweepEvery, "sweep-every", "how often the background sweeper locks dormant accounts and sends expiry warnings")
	c.str(&l.EnumerationProtection, "enumeration-protection",
		"standard shows an account's state after screen 1; strict only after a correct password (LOGIN-2)")
}

// bindRateLimits defines the rate limit flags (docs/SECURITY.md).
func bindRateLimits(c *configFlags, r *config.RateLimits) {
	c.value(&rateValue{&r.SignIn}, "rate-signin",
		"per client address: POST /login/password, /signup, /activate, /activate/resend (COUNT/PERIOD[:BURST], or off)")
	c.value(&rateValue{&r.Authorize}, "rate-authorize", "per client address: /authorize and /authorize/callback")
	c.value(&rateValue{&r.Token}, "rate-token", "per client address: /oauth/token, /oauth/introspect, /oauth/revoke")
	c.value(&rateValue{&r.TokenClient}, "rate-token-client", "per client_id: /oauth/token, /oauth/introspect, /oauth/revoke")
	c.str(&r.TrustedProxies, "trusted-proxies",
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client; empty trusts none")
}

func (c *configFlags) str(p *string, name, usage string) {
	c.fs.StringVar(p, name, *p, usage)
	c.names = append(c.names, name)
}

func (c *configFlags) boolean(p *bool, name, usage string) {
	c.fs.BoolVar(p, name, *p, usage)
	c.names = append(c.names, name)
}

func (c *configFlags) integer(p *int, name, usage string) {
	c.fs.IntVar(p, name, *p, usage)
	c.names = append(c.names, name)
}

func (c *configFlags) duration(p *time.Duration, name, usage string) {
	c.fs.DurationVar(p, name, *p, usage)
	c.names = append(c.names, name)
}

func (c *configFlags) value(v flag.Value, name, usage string) {
	c.fs.Var(v, name, usage)
	c.names = append(c.names, name)
}

// isSet reports whether load found the flag in the environment or on the
// command line.
func (c *configFlags) isSet(name string) bool { return c.set[name] }

// envName is the environment variable of a flag.
func envName(flagName string) string {
	return "ENTRYKEYID_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// load reads the environment into the bound configuration, then parses
// args over it, then validates the result. Every problem (bad environment
// values and invalid settings) is reported at once, as a *UsageError.
func (c *configFlags) load(args []string, getenv func(string) string) error {
	var problems []error
	c.set = map[string]bool{}
	for _, name := range c.names {
		key := envName(name)
		if v := getenv(key); v != "" {
			c.set[name] = true
			if err := c.fs.Lookup(name).Value.Set(v); err != nil {
				problems = append(problems, fmt.Errorf("%s: invalid value %q", key, v))
			}
		}
	}
	if err := parseFlags(c.fs, args); err != nil {
		return err
	}
	c.fs.Visit(func(f *flag.Flag) { c.set[f.Name] = true })
	if c.deriveIssuer && !c.set["issuer"] {
		if c.cfg.Issuer = config.IssuerFor(c.cfg.Addr); c.cfg.Issuer == "" {
			c.cfg.Issuer = config.Default().Issuer // --addr is wrong, and Validate says so
		}
	}
	if err := c.cfg.Validate(); err != nil {
		problems = append(problems, err)
	}
	if len(problems) == 0 {
		return nil
	}
	return &UsageError{Err: invalidConfig(errors.Join(problems...))}
}

// invalidConfig formats every problem on its own indented line.
func invalidConfig(err error) error {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, line := range strings.Split(err.Error(), "\n") {
		b.WriteString("\n  ")
		b.WriteString(line)
	}
	return errors.New(b.String())
}

// uintValue is a flag.Value for an unsigned integer field of a given size.
type uintValue[T uint8 | uint32] struct{ p *T }

func (v *uintValue[T]) String() string {
	if v == nil || v.p == nil {
		return "0"
	}
	return strconv.FormatUint(uint64(*v.p), 10)
}

func (v *uintValue[T]) Set(s string) error {
	var zero T
	n, err := strconv.ParseUint(s, 10, bitSize(zero))
	if err != nil {
		return errors.New("must be a non-negative integer in range")
	}
	*v.p = T(n)
	return nil
}

func bitSize[T uint8 | uint32](T) int {
	var x T
	x--
	if uint64(x) == 0xff {
		return 8
	}
	return 32
}

// rateValue is a flag.Value for a config.Rate written COUNT/PERIOD[:BURST]:
// "10/1m:10" is ten a minute with bursts of ten, "50/s:100" fifty a second
// with bursts of a hundred. PERIOD is a Go duration or s, m or h alone;
// BURST defaults to COUNT. "off" is unlimited.
type rateValue struct{ p *config.Rate }

func (v *rateValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return formatRate(*v.p)
}

func (v *rateValue) Set(s string) error {
	r, err := parseRate(s)
	if err != nil {
		return err
	}
	*v.p = r
	return nil
}

func parseRate(s string) (config.Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" {
		return config.Rate{}, nil
	}
	bad := fmt.Errorf("want COUNT/PERIOD[:BURST] (e.g. 10/1m:10) or off, got %q", s)
	count, rest, ok := strings.Cut(s, "/")
	if !ok {
		return config.Rate{}, bad
	}
	period, burst, hasBurst := strings.Cut(rest, ":")
	var r config.Rate
	var err error
	if r.Count, err = strconv.Atoi(count); err != nil || r.Count < 1 {
		return config.Rate{}, bad
	}
	switch period {
	case "s", "m", "h":
		period = "1" + period
	}
	if r.Per, err = time.ParseDuration(period); err != nil || r.Per <= 0 {
		return config.Rate{}, bad
	}
	r.Burst = r.Count
	if hasBurst {
		if r.Burst, err = strconv.Atoi(burst); err != nil || r.Burst < 1 {
			return config.Rate{}, bad
		}
	}
	return r, nil
}

// formatRate writes r as parseRate reads it, the period in its largest
// whole unit ("1m", not "1m0s").
func formatRate(r config.Rate) string {
	if r.Unlimited() {
		return "off"
	}
	per := r.Per.String()
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if r.Per%u.d == 0 {
			per = strconv.FormatInt(int64(r.Per/u.d), 10) + u.name
			break
		}
	}
	return fmt.Sprintf("%d/%s:%d", r.Count, per, r.Burst)
}
