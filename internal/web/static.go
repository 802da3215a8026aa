package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

//go:embed static/app.css static/app.js
var staticFiles embed.FS

// asset is one embedded static file, served under a name that carries a
// hash of its content (app.<hash>.css) so it can be cached for a year and
// a new build never serves a stale copy.
type asset struct {
	name        string // app.<hash>.css
	contentType string
	body        []byte
}

// assets are the stylesheet and the script, by kind ("css", "js") and by
// hashed name.
type assets struct {
	byKind map[string]*asset
	byName map[string]*asset
}

func loadAssets() (*assets, error) {
	a := &assets{byKind: map[string]*asset{}, byName: map[string]*asset{}}
	for kind, ctype := range map[string]string{
		"css": "text/css; charset=utf-8",
		"js":  "text/javascript; charset=utf-8",
	} {
		body, err := staticFiles.ReadFile("static/app." + kind)
		if err != nil {
			return nil, fmt.Errorf("static: %w", err)
		}
		sum := sha256.Sum256(body)
		as := &asset{name: "app." + hex.EncodeToString(sum[:5]) + "." + kind, contentType: ctype, body: body}
		a.byKind[kind] = as
		a.byName[as.name] = as
	}
	return a, nil
}

// path returns the served path of the asset of kind.
func (a *assets) path(kind string) string {
	return "/static/" + a.byKind[kind].name
}

// staticServe serves a hashed asset with a year-long immutable cache.
// Any other name, including an old hash, is a 404.
func (s *Server) staticServe(w http.ResponseWriter, r *http.Request) {
	as := s.assets.byName[r.PathValue("file")]
	if as == nil || strings.Contains(r.PathValue("file"), "/") {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(as.body)
}
