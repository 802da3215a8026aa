package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// accountShow serves GET /account, where a sign-in that no portal asked
// for lands (ACC-3's "Log in to register" among them): who is signed in,
// the profile form (PROF-1), the ways to change the password (PWD-5) and
// the email address (PROF-2), a link to every portal the account can open,
// and a sign-out button. Without a live session it sends the browser to
// sign in.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	_, acc, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	f := profileForm{FirstName: acc.FirstName, LastName: acc.LastName, Phone: acc.Phone, Fax: acc.Fax, Language: acc.Language}
	s.accountPage(w, r, acc, f, nil, http.StatusOK)
}

// accountPage renders the account screen with the profile form f and its
// problems.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, acc *domain.Account, f profileForm, probs []problem, status int) {
	clients, err := s.store.ListClients(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p := s.newPage(w, r, "account")
	p.Next = "/account"
	p.Account, p.Profile, p.Problems = acc, f, probs
	p.Portals = portalsOf(clients)
	if len(probs) == 0 {
		p.Notice = accountDone[r.URL.Query().Get("done")]
	}
	s.write(w, r, status, p)
}

// portal is one link of the account screen: the portal's name and home.
type portal struct {
	Name, Home string
}

// portalsOf lists the portals a signed-in person can open, by name: every
// registered client but the staff's support portal, with a home page. No
// client keeps a home page address, so the home is the origin of its
// first redirect URI, "scheme://host/", which is what a portal serves at
// its root (the demo portals do). A client without an http(s) redirect
// URI is left out.
func portalsOf(clients []*domain.Client) []portal {
	var out []portal
	for _, c := range clients {
		if c.PortalType == domain.PortalSupport || len(c.RedirectURIs) == 0 {
			continue
		}
		u, err := url.Parse(c.RedirectURIs[0])
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			continue
		}
		name := strings.TrimSpace(c.Name)
		if name == "" {
			name = c.ID
		}
		out = append(out, portal{Name: name, Home: u.Scheme + "://" + u.Host + "/"})
	}
	slices.SortFunc(out, func(a, b portal) int { return strings.Compare(a.Name, b.Name) })
	return out
}
