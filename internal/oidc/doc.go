// Package oidc is EntryKeyID's OpenID Connect provider (SSO-1, SSO-4,
// SSO-5): github.com/zitadel/oidc/v3/pkg/op, with its storage backed by
// domain.Store.
//
// A map of a sign-in:
//
//	portal ──► /authorize ──► storage.CreateAuthRequest (exact redirect URI, PKCE S256)
//	       ──► cfg.URL("/login?authRequestID=ID")            (package web signs the person in,
//	           store.CompleteAuthRequest, 302 to /authorize/callback?id=ID)
//	       ──► /authorize/callback ──► code = seal(ID); only its SHA-256 is stored
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
//   - A code is valid while its auth request is (cfg.AuthRequestTTL from
//     /authorize). A code presented a second time revokes every token
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
//
// Handler serves exactly the paths of Paths; the library's own /healthz,
// /ready and device endpoints are not exposed.
package oidc
