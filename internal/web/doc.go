// Package web serves EntryKeyID's hosted screens: identity-first sign-in,
// create account, activation, sign-out and the help pages, server-rendered
// in English and Spanish and working without JavaScript.
//
// A map of the sign-in flow (routes.go lists every route):
//
//	portal ──► /authorize (package oidc) ──► GET /login?authRequestID=X
//	  not the browser that started X (its ekid_browser cookie) ──► error page, every screen
//	  live session, prompt allows ──► CompleteAuthRequest ──► /authorize/callback?id=X
//	  prompt=none, no session     ──► portal redirect_uri?error=login_required&state=..
//	  otherwise: screen 1 (identify; remember-me cookie skips to screen 2)
//	POST /login          screen 1 ──► screen 2 for every well-formed address (LOGIN-2);
//	                     a live session of that very address (signed in in another tab)
//	                     ──► CompleteAuthRequest as GET would, or /account
//	POST /login/password accounts.Authenticate ──► StartSession, new cookie (LOGIN-7)
//	                     ──► CompleteAuthRequest ──► /authorize/callback?id=X, or /account
//	CompleteAuthRequest completes X once; X already done by another sign-in ──► 409 page
//
// Every POST passes through Server.post: net/http.CrossOriginProtection
// (Sec-Fetch-Site / Origin), a 64 KiB body limit (by Content-Length or
// chunked alike), then a double-submit CSRF token (a cookie, __Host-
// prefixed over https, equal to a hidden form field, compared in constant
// time). A refused form gets the full error page in the user's language
// with a link back to the screen that shows the form.
//
// Templates are embedded, parsed once by New with the shared layout, and
// checked: every message key they name, and every key package accounts
// can return, must exist in both catalogs of package i18n. Every link
// printed is built from the configured issuer, never from the request's
// Host or forwarded headers. The stylesheet and script are served under
// content hashes; pages carry a Content-Security-Policy without
// 'unsafe-inline'.
//
// Cookies: ekid_session (the SSO session secret; HttpOnly, SameSite=Lax,
// Secure and named __Host-ekid_session over https, no Max-Age: it ends
// with the browser, LOGIN-6), ekid_browser (set by package oidc at
// /authorize; read here to serve a sign-in only to its browser),
// ekid_remember (the username only, for cfg.RememberMe, LOGIN-4),
// ekid_lang (the chosen language, a year), ekid_csrf (the form token).
package web
