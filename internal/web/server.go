package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/i18n"
)

// Deps is what the hosted screens need. Every field is required.
type Deps struct {
	Config   config.Config
	Accounts *accounts.Service
	Store    domain.Store
	Clock    domain.Clock
	Log      *slog.Logger
}

// Server serves the hosted screens. It is safe for concurrent use; nothing
// in it changes after New.
type Server struct {
	cfg      config.Config
	accounts *accounts.Service
	store    domain.Store
	clock    domain.Clock
	log      *slog.Logger

	cat    *i18n.Catalog
	views  *views
	assets *assets
	cop    *http.CrossOriginProtection
	mux    *http.ServeMux
	paths  []string // every route's path, for Paths
}

// New parses the embedded templates once, checks that every message key
// they use, and every key the accounts package can return, exists in
// English and Spanish, and builds the routes. It fails rather than serve a
// screen with a missing template or translation.
func New(d Deps) (*Server, error) {
	switch {
	case d.Accounts == nil:
		return nil, errors.New("web: Deps.Accounts is nil")
	case d.Store == nil:
		return nil, errors.New("web: Deps.Store is nil")
	case d.Clock == nil:
		return nil, errors.New("web: Deps.Clock is nil")
	case d.Log == nil:
		return nil, errors.New("web: Deps.Log is nil")
	}
	issuer, err := url.Parse(d.Config.Issuer)
	if err != nil || issuer.Scheme == "" || issuer.Host == "" {
		return nil, fmt.Errorf("web: issuer %q is not an absolute URL", d.Config.Issuer)
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if missing := cat.Missing(codeKeys()...); len(missing) > 0 {
		return nil, fmt.Errorf("web: message keys used in code missing from a catalog: %v", missing)
	}
	a, err := loadAssets()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	v, err := parseViews(cat)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	cop := http.NewCrossOriginProtection()
	// Behind a proxy the Host header may not be the public one; the issuer
	// is the origin browsers really post from.
	if err := cop.AddTrustedOrigin(issuer.Scheme + "://" + issuer.Host); err != nil {
		return nil, fmt.Errorf("web: trusted origin: %w", err)
	}
	s := &Server{
		cfg: d.Config, accounts: d.Accounts, store: d.Store, clock: d.Clock, log: d.Log,
		cat: cat, views: v, assets: a, cop: cop, mux: http.NewServeMux(),
	}
	s.routes()
	return s, nil
}

// Handler returns the handler serving every route in routes.go. Paths it
// does not know get the 404 page.
func (s *Server) Handler() http.Handler { return s.mux }
