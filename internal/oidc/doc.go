// Package oidc is EntryKeyID's OpenID Connect provider (SSO-1, SSO-4,
// SSO-5): github.com/zitadel/oidc/v3/pkg/op, with its storage backed by
// domain.Store.
//
// A map of a sign-in:
//
//	portal ──► /authorize ──► checkAuthorize (client, exact redirect URI, parameter limits)
//	       ──► browser cookie (ekid_browser) ──► storage.CreateAuthRequest (PKCE S256,
//	           bound to the digest of the browser secret)
//	       ──► cfg.URL("/login?authRequestID=ID")            (package web signs the person in
//	           for that browser only, store.CompleteAuthRequest once, 302 to
//	           /authorize/callback?id=ID)
//	       ──► /authorize/callback ──► checkCallback (the starting browser only)
//	       ──► code = seal(ID); only its SHA-256 is stored, once
//	       ──► portal redirect_uri?code=..&state=..
//	portal ──► /oauth/token ──► code marked used + tokens stored, in one transaction
//	       ◄── ID token (signed), opaque access token, refresh token (offline_access)
//
// Decisions:
//
//   - The issuer is cfg.Issuer (op.StaticIssuer); the Host and
//     X-Forwarded-* headers of a request are never read. http issuers are
//     allowed (op.WithAllowInsecure) only because cfg.Issuer says http.
//   - Access tokens are opaque: "tokenID:accountID" sealed with AES-256-GCM
//     (sealer). The sealing key is a row of the signing_keys table with Alg
//     "AES256" and base64 key material, created on the first start, so
//     tokens survive restarts and work on every node. Opaque rather than
//     JWT because every access token is checked against the store anyway
//     (revocation, account status), and a JWT would cost a second
//     signature per sign-in. Sealing-key rows are never published.
//   - ID tokens are signed with cfg.SigningAlg (RS256 by default) unless the
//     client's domain.Client.SigningAlg names the other algorithm. The
//     library's SigningKey(ctx) does not name the client, so the storage
//     remembers, per request, the algorithm of the client it looked up
//     (requestState); one request always serves one client. A key of each
//     algorithm exists from the first start and both are published.
//   - Signing keys are PKCS#8 PEM in the store, parsed once per key id and
//     kept in memory; the store is reread every minute and whenever a
//     token names an unknown key, so rotation by another node is seen. The
//     JWKS holds every unretired key and those retired less than 24 hours
//     ago (OPS-5); RotateSigningKey rotates.
//   - Clients: redirect and post-logout redirect URIs match exactly. Public
//     clients authenticate with nothing and must send PKCE with S256;
//     confidential ones use client_secret_basic or client_secret_post, the
//     secret checked as a SHA-256 digest in constant time. Only
//     "plain"-free PKCE, response_type=code, response_mode=query and the
//     authorization_code and refresh_token grants exist.
//   - A sign-in is bound to the browser that started it at /authorize
//     (browser.go): only that browser can complete it at the sign-in
//     screens and collect its code at /authorize/callback, so a request id
//     sent to someone else is worthless. A request is completed once and
//     gets one code (atomic updates in the store).
//   - /authorize checks the client and the exact redirect URI before the
//     library does, for every client type (the library would accept any
//     loopback port for a public client), and shows an error page when
//     either is bad; every other problem, parameters over their limits
//     included, goes back to the portal as invalid_request. The library's
//     plain-text errors on the browser endpoints become the error page.
//   - A code is good for CodeLifetime (60 s) from its issue and never past
//     its auth request (cfg.AuthRequestTTL from /authorize), and only
//     while the session it was issued in is live. A code presented a second time revokes every token
//     issued from it and audits oidc.code_replay; the auth request row is
//     kept (not deleted after the exchange) so the replay is recognised.
//     The check runs before client authentication: whoever holds a used
//     code proves it leaked.
//   - Refresh tokens are 256 random bits; only their SHA-256 is stored.
//     Each use rotates them; a used one presented again revokes its whole
//     family, access tokens included, and audits oidc.refresh_replay.
//     Refresh tokens end with the session they were issued in: a refresh
//     fails once the session has ended, passed its maximum lifetime or been
//     idle for cfg.SessionIdle, or when the account is no longer active. A
//     successful refresh counts as activity of the session (TouchSession),
//     as in Keycloak, and a refresh token never outlives its session.
//   - Claims are read from the account at the moment they are served, so a
//     change applies everywhere at once (SSO-5): sub (account id); with
//     "email": email, email_verified; with "profile": name, given_name,
//     family_name, preferred_username, locale. ID tokens also carry sid,
//     the domain.Session id, and amr ["pwd"].
//   - Introspection is for confidential clients (client_secret_basic) and
//     describes only tokens issued to, or addressed to, the caller.
//   - /end_session with a valid id_token_hint carrying sid ends that session
//     (store.EndSession, RevokeBySession, audit "signout") and redirects to
//     the exactly registered post_logout_redirect_uri with state, or to
//     /login. Without one it redirects to cfg.URL("/logout?client_id=..&
//     post_logout_redirect_uri=..&state=.."), where package web asks the
//     person to confirm by POST; LogoutRedirect validates the target there.
//   - Back-channel logout (SSO-3, OpenID Connect Back-Channel Logout 1.0;
//     discovery says backchannel_logout_supported and
//     backchannel_logout_session_supported). Whenever a session ends
//     (/end_session with a valid hint; sign-out at /logout, a password
//     reset or change, through accounts.(*Service).EndSession and the
//     other session-ending methods of accounts), the transaction that
//     ends it also writes, through EnqueueBackchannelLogout, one row of
//     the logout_deliveries outbox for each client that was issued tokens
//     in the session (store.ClientsForSession; the server's cleanup keeps
//     expired token rows for cfg.SessionMax so the list stays complete)
//     and has a BackchannelLogoutURI; one per client and session, however
//     often it ends. Imports point down: accounts defines the LogoutNotifier
//     function type and calls it inside its transactions; the server sets
//     Provider.EnqueueBackchannelLogout as that notifier; accounts never
//     imports oidc. BackchannelWorker (run by the server on every node)
//     claims due rows with a one-minute lease (store.ClaimLogouts, so two
//     nodes never post one notice at once), signs a fresh logout token
//     per attempt with the client's algorithm (typ logout+jwt; iss, aud =
//     client id, iat, exp two minutes later, jti, sid, sub, the
//     back-channel event; no nonce) and POSTs logout_token= with a
//     five-second timeout, following no redirect. A 2xx answer marks the
//     row delivered; anything else is retried after 10s, 20s, 40s ... at
//     most 15 minutes apart, and given up (logged as an error) 24 hours
//     after the session ended. Sessions that merely time out are not
//     announced: each portal's own timeout and its userinfo and refresh
//     calls, which fail once the session is over, end them.
//   - /userinfo takes the access token from the Authorization header or a
//     POST form body, never from the URL query (RFC 6750).
//   - The library logs through slog.Default; New routes those lines to the
//     logger it is given, with the request id (library_log.go).
//
// Handler serves exactly the paths of Paths; the library's own /healthz,
// /ready and device endpoints are not exposed.
package oidc
