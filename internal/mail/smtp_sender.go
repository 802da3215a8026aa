package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// smtpTimeout bounds connecting and each exchange with the relay. It is
// well below the worker's lease, so a hung relay cannot make a message
// look free to another worker while it is still being sent.
const smtpTimeout = 20 * time.Second

// SMTPSender delivers messages through an SMTP relay with
// github.com/wneessen/go-mail, one connection per message.
//
// Transport security, chosen from the URL:
//   - smtps://host[:465]  implicit TLS from the first byte.
//   - smtp://user:pass@host[:587]  STARTTLS is mandatory: when the relay
//     does not offer it, nothing is sent and the password never leaves
//     the process in clear text.
//   - smtp://host[:587] (no credentials)  STARTTLS when the relay offers
//     it, plain text otherwise, so that a local relay or a development
//     catcher without TLS works. On that path the message (and its link)
//     can cross the network in clear text: use smtps:// or credentials
//     for any relay that is not on the same host or private network.
//
// With credentials, the strongest SASL mechanism both sides support is
// used (SCRAM, then CRAM-MD5, PLAIN, LOGIN), always over TLS. Certificates
// are verified against the system roots; TLS 1.2 is the minimum.
type SMTPSender struct {
	client   *gomail.Client
	from     string
	redacted string // the URL without its password, for logs
}

var _ domain.Sender = (*SMTPSender)(nil)

// NewSMTPSender parses rawURL (smtp:// or smtps://, optional user:pass@,
// host, optional :port; no path or query) and from (the From address).
// It does not connect. Errors never contain the password.
func NewSMTPSender(rawURL, from string) (*SMTPSender, error) {
	return newSMTPSender(rawURL, from, nil)
}

// newSMTPSender is NewSMTPSender with a TLS configuration (tests pass one
// that trusts their own certificate).
func newSMTPSender(rawURL, from string, tlsConf *tls.Config) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the URL, password included: say less.
		return nil, errors.New("mail: smtp URL does not parse")
	}
	if _, err := netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail: from address %q: %w", from, err)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("mail: smtp URL has no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("mail: smtp URL must not have a path, query or fragment")
	}
	opts := []gomail.Option{gomail.WithTimeout(smtpTimeout)}
	port := 587
	switch u.Scheme {
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	case "smtp":
		if u.User != nil {
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		} else {
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		}
	default:
		return nil, fmt.Errorf("mail: smtp URL scheme must be smtp or smtps, got %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("mail: smtp URL port %q is not a port number", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()),
			gomail.WithPassword(pass))
	}
	if tlsConf == nil {
		tlsConf = &tls.Config{}
	} else {
		tlsConf = tlsConf.Clone()
	}
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = host
	}
	if tlsConf.MinVersion < tls.VersionTLS12 {
		tlsConf.MinVersion = tls.VersionTLS12
	}
	opts = append(opts, gomail.WithTLSConfig(tlsConf))
	dialHost := host
	if strings.Contains(host, ":") {
		// go-mail joins host and port without brackets; an IPv6 literal
		// needs them.
		dialHost = "[" + host + "]"
	}
	client, err := gomail.NewClient(dialHost, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp client: %w", err)
	}
	redacted := url.URL{Scheme: u.Scheme, Host: u.Host}
	if u.User != nil {
		redacted.User = url.User(u.User.Username())
	}
	return &SMTPSender{client: client, from: from, redacted: redacted.String()}, nil
}

// String returns the relay URL without the password.
func (s *SMTPSender) String() string { return s.redacted }

// Send delivers m to the relay over one connection. It returns once the
// relay has accepted the message (250 after DATA), or with the error.
func (s *SMTPSender) Send(ctx context.Context, m *domain.Message) error {
	msg, err := buildMsg(s.from, m, time.Now())
	if err != nil {
		return err
	}
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: smtp %s: %w", s.redacted, err)
	}
	return nil
}
