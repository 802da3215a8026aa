package oidc

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// A sign-in is bound to the browser that started it. /authorize gives
// each browser a random secret in an HttpOnly, SameSite=Lax cookie
// (Secure, and named with the __Host- prefix, when the issuer is https),
// keeping the one it already has, and stores the secret's SHA-256 on the
// auth request (domain.AuthRequest.BrowserDigest). The sign-in screens
// (package web) complete a request only for that browser, and
// /authorize/callback hands its code only to that browser: a request
// started by one browser cannot be finished, nor its code collected, by
// another. One secret per browser, not per request, so that sign-ins in
// several tabs do not undo each other.

// browserCookieName is the cookie's name on an http issuer.
const browserCookieName = "ekid_browser"

// browserSecretLen is the length of an encoded secret: 32 random bytes.
var browserSecretLen = base64.RawURLEncoding.EncodedLen(32)

// BrowserCookie returns the name of the browser cookie for cfg:
// "__Host-ekid_browser" when the issuer is https, else "ekid_browser".
func BrowserCookie(cfg config.Config) string {
	if cfg.SecureCookies() {
		return "__Host-" + browserCookieName
	}
	return browserCookieName
}

// BrowserSecret returns the browser secret r carries, or "" when it has
// none or one that is not well formed.
func BrowserSecret(r *http.Request, cfg config.Config) string {
	c, err := r.Cookie(BrowserCookie(cfg))
	if err != nil || len(c.Value) != browserSecretLen {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil {
		return ""
	}
	return c.Value
}

// FromStartingBrowser reports whether r comes from the browser that
// started ar at /authorize.
func FromStartingBrowser(r *http.Request, cfg config.Config, ar *domain.AuthRequest) bool {
	return ar.BoundTo(BrowserSecret(r, cfg))
}

// ensureBrowserSecret returns the browser's secret, first setting a new
// one in the browser cookie when the request carries none. The cookie
// lasts as long as the browser session.
func ensureBrowserSecret(w http.ResponseWriter, r *http.Request, cfg config.Config) string {
	if s := BrowserSecret(r, cfg); s != "" {
		return s
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	s := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{
		Name: BrowserCookie(cfg), Value: s, Path: "/",
		HttpOnly: true, Secure: cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
	return s
}
