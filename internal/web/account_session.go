package web

import (
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// signedIn returns the live session and account of the browser for the
// account pages (PROF-1, PROF-2, PWD-5). Without one (no cookie, ended,
// idle for SessionIdle, past SessionMax: SSO-2) it sends the browser to
// sign in, where a sign-in no portal asked for lands on /account, and
// reports false; it reports false too after showing the error page.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request) (*domain.Session, *domain.Account, bool) {
	sess, acc, err := s.session(r)
	if err != nil {
		s.failErr(w, r, err)
		return nil, nil, false
	}
	if acc == nil {
		status := http.StatusFound
		if r.Method == http.MethodPost {
			status = http.StatusSeeOther
		}
		http.Redirect(w, r, s.cfg.URL("/login"), status)
		return nil, nil, false
	}
	return sess, acc, true
}

// accountDone maps the ?done= of /account, after a change, to its notice.
var accountDone = map[string]string{
	"profile":  "account.saved",
	"password": "account.password_changed",
}

// problemsIn orders field errors as a form shows its fields; fields not
// named come last, in name order (problemsOf).
func problemsIn(fe map[string]string, order ...string) []problem {
	var out []problem
	rest := map[string]string{}
	for k, v := range fe {
		rest[k] = v
	}
	for _, name := range order {
		if key, ok := rest[name]; ok {
			out = append(out, problem{name, key})
			delete(rest, name)
		}
	}
	return append(out, problemsOf(rest)...)
}
