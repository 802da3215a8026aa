// Package server wires EntryKeyID's parts into one identity provider and
// serves it. New builds, over one domain.Store:
//
//	accounts.Service ── password.Hasher, mail.Composer
//	oidc.Provider    ── /.well-known/openid-configuration /authorize /authorize/callback
//	                    /oauth/token /oauth/introspect /oauth/revoke /userinfo /end_session /keys
//	web.Server       ── every other path (the hosted screens)
//	mail.Worker      ── delivers the outbox by SMTP or into <data-dir>/mail (background)
//	oidc.BackchannelWorker ── posts back-channel logout tokens to portals (background);
//	                    accounts' session ends feed it (SetLogoutNotifier)
//	cleanup          ── deletes expired authorization requests and tokens, and old
//	                    back-channel logout notices (background)
//
// and adds its own endpoints: /healthz (the process is up), /readyz (the
// database answers within 2s), /metrics (Prometheus, a registry per
// server; on a listener of its own, MetricsHandler, unless
// cfg.MetricsAddr is empty) and, with cfg.Dev, the development inbox at
// /dev/mail.
//
// Every request goes through, outermost first: a random request id
// (X-Request-Id) with one JSON access log line and the request metrics
// when it ends (the path only: query strings can hold link secrets and
// codes); panic recovery (a 500 page); security headers; the 64 KiB body
// limit; the router, which names the route; the rate limits of
// cfg.RateLimits (throttle.go, docs/SECURITY.md), per client address and,
// at the token endpoints, per client_id.
//
// Two Store wrappers sit between the services and the database: sign-ins
// are counted from the audit events the account service writes, so the
// metric always agrees with the audit log; and a committed outbox message
// wakes the mail worker at once.
package server
