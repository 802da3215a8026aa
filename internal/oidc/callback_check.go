package oidc

import (
	"log/slog"
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// maxAuthRequestIDLen bounds the id a callback may name.
const maxAuthRequestIDLen = 200

// checkCallback runs before the library serves /authorize/callback?id=X,
// where it would hand out the code of a completed request X. It reports
// whether the library may go on; otherwise the browser has the error page
// (400) and no code is made. It refuses a request that is unknown,
// expired or already has its code, and above all one the browser did not
// start: without the browser cookie bound to X at /authorize, nobody
// collects X's code, even when X is complete.
func (p *Provider) checkCallback(w http.ResponseWriter, r *http.Request) bool {
	ctx := r.Context()
	log := requestLogger(ctx, p.log)
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, r, http.StatusBadRequest)
		return false
	}
	id := r.Form.Get("id")
	if id == "" || len(id) > maxAuthRequestIDLen || len(r.Form["id"]) != 1 {
		writeErrorPage(w, r, http.StatusBadRequest)
		return false
	}
	ar, err := p.store.AuthRequestByID(ctx, id)
	if err != nil {
		if domain.IsNotFound(err) {
			log.InfoContext(ctx, "oidc: callback refused: unknown authorization request")
			writeErrorPage(w, r, http.StatusBadRequest)
			return false
		}
		log.ErrorContext(ctx, "oidc: callback: read authorization request", slog.Any("error", err))
		writeErrorPage(w, r, http.StatusInternalServerError)
		return false
	}
	if !FromStartingBrowser(r, p.cfg, ar) {
		log.WarnContext(ctx, "oidc: callback refused: not the browser that started the sign-in",
			slog.String("client_id", ar.ClientID))
		writeErrorPage(w, r, http.StatusBadRequest)
		return false
	}
	if p.storage.expired(ar) || ar.CodeDigest != "" {
		log.InfoContext(ctx, "oidc: callback refused: authorization request expired or its code issued",
			slog.String("client_id", ar.ClientID))
		writeErrorPage(w, r, http.StatusBadRequest)
		return false
	}
	return true
}
