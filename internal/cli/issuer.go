package cli

import (
	"log/slog"
	"net"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// settleIssuer fixes the issuer of a server listening on l. When neither
// --issuer nor ENTRYKEYID_ISSUER gave one (given is false), it is the
// address actually bound (config.IssuerFor; with port 0, the port the
// system chose), and the log says so. When one was given but names this
// machine on another port than --addr, the log warns: links would lead
// nowhere unless a proxy listens there, so it is not refused.
func settleIssuer(cfg *config.Config, given bool, l net.Listener, log *slog.Logger) {
	if !given {
		cfg.Issuer = localURL(cfg.Addr, l)
		log.Info("issuer derived from --addr; set --issuer to the public URL if people reach the server otherwise",
			slog.String("issuer", cfg.Issuer))
		return
	}
	if issuerPort, addrPort, mismatch := cfg.IssuerPortMismatch(); mismatch {
		log.Warn("--issuer names this machine on port "+issuerPort+" but --addr listens on port "+addrPort+
			"; every link will point at port "+issuerPort+", which is right only if a proxy there forwards to --addr",
			slog.String("issuer", cfg.Issuer), slog.String("addr", cfg.Addr))
	}
}

// localURL is the http URL of a listener opened on addr: config.IssuerFor
// of addr's host and the port actually bound.
func localURL(addr string, l net.Listener) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return config.IssuerFor(net.JoinHostPort(host, port))
}
