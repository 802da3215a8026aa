package web

import "net/http"

// accountShow serves GET /account: who is signed in, and a sign-out
// button. Without a live session it sends the browser to sign in.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	_, acc, err := s.session(r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if acc == nil {
		http.Redirect(w, r, s.cfg.URL("/login"), http.StatusFound)
		return
	}
	p := s.newPage(w, r, "account")
	p.Account = acc
	s.write(w, r, http.StatusOK, p)
}
