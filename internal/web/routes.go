package web

import (
	"net/http"
	"slices"
	"strings"
)

// routes lists every route of the hosted screens in one table. POST
// handlers are wrapped by s.post, which refuses cross-origin requests and
// requests without the form's CSRF token, limits the body to maxBody and
// parses the form before the handler runs.
func (s *Server) routes() {
	for _, rt := range []struct {
		pattern string
		handler http.HandlerFunc
	}{
		{"GET /login", s.loginShow},                       // screen 1, or silent SSO (LOGIN-1, SSO-1)
		{"POST /login", s.post(s.loginIdentify)},          // screen 1 -> screen 2 (LOGIN-2)
		{"POST /login/password", s.post(s.loginPassword)}, // screen 2 -> session (LOGIN-3, LOGIN-7)
		{"GET /signup", s.signupShow},                     // ACC-2
		{"POST /signup", s.post(s.signupSubmit)},
		{"POST /activate/resend", s.post(s.activationResend)},
		{"GET /activate", s.activateShow}, // shows a button; never uses the link
		{"POST /activate", s.post(s.activateSubmit)},
		{"GET /activated", s.page("activated")}, // ACC-3
		{"GET /logout", s.logoutShow},
		{"POST /logout", s.post(s.logoutSubmit)},
		{"GET /account", s.accountShow},                            // PROF-1 profile, portals, sign-out
		{"POST /account/profile", s.post(s.profileSubmit)},         // PROF-1
		{"GET /account/password", s.passwordChangeShow},            // PWD-5
		{"POST /account/password", s.post(s.passwordChangeSubmit)}, // PWD-5
		{"GET /account/email", s.emailChangeShow},                  // PROF-2
		{"POST /account/email", s.post(s.emailChangeSubmit)},
		{"GET /account/email/confirm", s.emailConfirmShow}, // shows a button; never uses the link
		{"POST /account/email/confirm", s.post(s.emailConfirmSubmit)},
		{"GET /trouble", s.troubleShow},                   // "Trouble logging in?" (REC-1, REC-6)
		{"POST /trouble", s.post(s.troubleSubmit)},        // -> check your email
		{"POST /trouble/resend", s.post(s.troubleResend)}, // REC-2, REC-3
		{"GET /recover", s.recoverShow},                   // shows unlock or reset; never uses the link
		{"POST /recover", s.post(s.recoverSubmit)},        // REC-4, REC-5, REC-7
		{"GET /recover/done", s.recoverDone},              // success: "Log in"
		{"GET /help", s.page("help")},
		{"GET /privacy", s.page("privacy")},
		{"GET /terms", s.page("terms")},
		{"GET /contact", s.page("contact")},
		{"GET /lang", s.langSelect},
		{"GET /static/{file}", s.staticServe},
		{"/", s.notFound},
	} {
		s.mux.HandleFunc(rt.pattern, rt.handler)
		if _, path, ok := strings.Cut(rt.pattern, " "); ok && !slices.Contains(s.paths, path) {
			s.paths = append(s.paths, path)
		}
	}
}

// Paths returns the path of every route in the table (without method),
// once each, in table order; "/static/{file}" appears as is. The server
// names metrics after them.
func (s *Server) Paths() []string { return slices.Clone(s.paths) }
