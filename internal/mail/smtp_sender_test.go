package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relay is a real SMTP server (github.com/emersion/go-smtp) on a loopback
// port that records what it receives.
type relay struct {
	addr     string
	mu       sync.Mutex
	received []received
	logins   []string // user names that authenticated
	tlsSeen  []bool   // per message: was the connection encrypted
}

type received struct {
	from string
	to   []string
	data []byte
}

type relayOptions struct {
	tls      *tls.Config // offer STARTTLS (or implicit TLS with implicit)
	implicit bool
	user     string // require AUTH PLAIN with user/pass
	pass     string
}

func startRelay(t *testing.T, o relayOptions) *relay {
	t.Helper()
	r := &relay{}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &relaySession{relay: r, conn: c, opts: o}, nil
	}))
	s.Domain = "relay.test"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.MaxMessageBytes = 1 << 20
	s.EnableSMTPUTF8 = true
	if !o.implicit {
		s.TLSConfig = o.tls
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.implicit {
		l = tls.NewListener(l, o.tls)
	}
	r.addr = l.Addr().String()
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return r
}

func (r *relay) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.received...)
}

type relaySession struct {
	relay  *relay
	conn   *smtp.Conn
	opts   relayOptions
	authed bool
	from   string
	to     []string
}

func (s *relaySession) AuthMechanisms() []string {
	if s.opts.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *relaySession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.opts.user || pass != s.opts.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		s.relay.mu.Lock()
		s.relay.logins = append(s.relay.logins, user)
		s.relay.mu.Unlock()
		return nil
	}), nil
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	if s.opts.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, encrypted := s.conn.TLSConnectionState()
	s.relay.mu.Lock()
	s.relay.received = append(s.relay.received, received{from: s.from, to: s.to, data: b})
	s.relay.tlsSeen = append(s.relay.tlsSeen, encrypted)
	s.relay.mu.Unlock()
	return nil
}

func (s *relaySession) Reset()        { s.from, s.to = "", nil }
func (s *relaySession) Logout() error { return nil }

// selfSigned returns a server configuration with a fresh certificate for
// 127.0.0.1 and a client configuration that trusts only it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "relay.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}

func TestSMTPSender_Delivers(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	for _, tt := range []struct {
		name      string
		relay     relayOptions
		url       func(addr string) string
		clientTLS *tls.Config
		wantLogin bool
		wantTLS   bool
	}{
		{
			name:  "plain relay without auth or TLS",
			relay: relayOptions{},
			url:   func(a string) string { return "smtp://" + a },
		},
		{
			name:      "opportunistic STARTTLS without auth",
			relay:     relayOptions{tls: serverTLS},
			url:       func(a string) string { return "smtp://" + a },
			clientTLS: clientTLS,
			wantTLS:   true,
		},
		{
			name:      "STARTTLS and AUTH PLAIN",
			relay:     relayOptions{tls: serverTLS, user: "mailer", pass: "p@ss:w/rd"},
			url:       func(a string) string { return "smtp://mailer:p%40ss%3Aw%2Frd@" + a },
			clientTLS: clientTLS,
			wantLogin: true,
			wantTLS:   true,
		},
		{
			name:      "implicit TLS and AUTH PLAIN",
			relay:     relayOptions{tls: serverTLS, implicit: true, user: "mailer", pass: "secret"},
			url:       func(a string) string { return "smtps://mailer:secret@" + a },
			clientTLS: clientTLS,
			wantLogin: true,
			wantTLS:   true,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := startRelay(t, tt.relay)
			s, err := newSMTPSender(tt.url(r.addr), DefaultFrom, tt.clientTLS)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(s.String(), "p%40ss") || strings.Contains(s.String(), "secret") {
				t.Errorf("String() shows the password: %s", s)
			}
			m := spanishMessage(t)
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := r.messages()
			if len(got) != 1 {
				t.Fatalf("relay received %d messages, want 1", len(got))
			}
			if got[0].from != "no-reply@entrykeyid.test" || len(got[0].to) != 1 || got[0].to[0] != "josé@example.com" {
				t.Errorf("envelope from %q to %v", got[0].from, got[0].to)
			}
			if r.tlsSeen[0] != tt.wantTLS {
				t.Errorf("encrypted = %v, want %v", r.tlsSeen[0], tt.wantTLS)
			}
			if tt.wantLogin != (len(r.logins) == 1) {
				t.Errorf("logins = %v", r.logins)
			}
			back, err := ReadEML(bytes.NewReader(got[0].data))
			if err != nil {
				t.Fatal(err)
			}
			if back.Subject != m.Subject || back.To != m.To ||
				strings.TrimSpace(back.Text) != strings.TrimSpace(m.Text) ||
				strings.TrimSpace(back.HTML) != strings.TrimSpace(m.HTML) {
				t.Errorf("relay got a different message:\n%+v", back)
			}
		})
	}
}

// With credentials, STARTTLS is mandatory: a relay that does not offer it
// gets nothing, and never sees the password.
func TestSMTPSender_CredentialsNeedTLS(t *testing.T) {
	r := startRelay(t, relayOptions{user: "mailer", pass: "secret"})
	s, err := NewSMTPSender("smtp://mailer:secret@"+r.addr, DefaultFrom)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), spanishMessage(t))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS error", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the password: %v", err)
	}
	if len(r.messages()) != 0 || len(r.logins) != 0 {
		t.Errorf("relay got %d messages, %d logins", len(r.messages()), len(r.logins))
	}
}

func TestSMTPSender_UntrustedCertificateRefused(t *testing.T) {
	serverTLS, _ := selfSigned(t)
	r := startRelay(t, relayOptions{tls: serverTLS, user: "mailer", pass: "secret"})
	s, err := NewSMTPSender("smtp://mailer:secret@"+r.addr, DefaultFrom) // system roots only
	if err != nil {
		t.Fatal(err)
	}
	var certErr *tls.CertificateVerificationError
	if err := s.Send(context.Background(), spanishMessage(t)); !errors.As(err, &certErr) {
		t.Fatalf("err = %v, want a certificate verification error", err)
	}
	if len(r.messages()) != 0 {
		t.Error("relay got a message")
	}
}

func TestSMTPSender_WrongPassword(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	r := startRelay(t, relayOptions{tls: serverTLS, user: "mailer", pass: "secret"})
	s, err := newSMTPSender("smtp://mailer:wrong@"+r.addr, DefaultFrom, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), spanishMessage(t)); err == nil {
		t.Fatal("want an error")
	}
	if len(r.messages()) != 0 {
		t.Error("relay got a message")
	}
}

func TestSMTPSender_ConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s, err := NewSMTPSender("smtp://"+addr, DefaultFrom)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), spanishMessage(t)); err == nil {
		t.Fatal("want an error")
	}
}

func TestNewSMTPSender_URLs(t *testing.T) {
	for _, tt := range []struct {
		url      string
		wantAddr string // ServerAddr, "" for an error
	}{
		{"smtp://relay.example.com", "relay.example.com:587"},
		{"smtp://u:p@relay.example.com", "relay.example.com:587"},
		{"smtps://u:p@relay.example.com", "relay.example.com:465"},
		{"smtp://relay.example.com:25", "relay.example.com:25"},
		{"smtps://[::1]:2465", "[::1]:2465"},
		{"smtp://relay.example.com/", "relay.example.com:587"},
		{"http://relay.example.com", ""},
		{"smtp://", ""},
		{"smtp://relay.example.com:0", ""},
		{"smtp://relay.example.com:99999", ""},
		{"smtp://relay.example.com:abc", ""},
		{"smtp://relay.example.com?tls=off", ""},
		{"smtp://relay.example.com/path", ""},
		{"smtp://u:p%zz@relay.example.com", ""},
		{"relay.example.com", ""},
	} {
		t.Run(tt.url, func(t *testing.T) {
			s, err := NewSMTPSender(tt.url, DefaultFrom)
			if tt.wantAddr == "" {
				if err == nil {
					t.Fatalf("want an error, got %v", s.client.ServerAddr())
				}
				if strings.Contains(err.Error(), "p%zz") {
					t.Errorf("error repeats the URL with its password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.client.ServerAddr(); got != tt.wantAddr {
				t.Errorf("address = %q, want %q", got, tt.wantAddr)
			}
		})
	}
	if _, err := NewSMTPSender("smtp://relay.example.com", "not an address"); err == nil {
		t.Error("bad from address: want an error")
	}
}

func TestSMTPSender_StringHidesPassword(t *testing.T) {
	s, err := NewSMTPSender("smtps://mailer:hunter2@relay.example.com:465", DefaultFrom)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "smtps://mailer@relay.example.com:465" {
		t.Errorf("String() = %q", got)
	}
}
