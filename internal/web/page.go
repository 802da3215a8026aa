package web

import (
	"net/url"
	"strconv"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// page is the data of every screen. Templates read it through its fields
// and its methods T (translate), URL (an absolute link built from the
// issuer) and Static (a hashed asset URL).
type page struct {
	s *Server

	Lang   string // "en" or "es": <html lang> and every message
	Screen string // data-screen of <main>
	CSRF   string // the form token, in every POST form
	Next   string // where the language selector returns to: a local path
	Title  string // message key of the title (error screen)

	Error    string    // message key shown in the error summary
	Problems []problem // field errors, in form order, also in the summary
	Notice   string    // message key of a status note (role="status")

	AuthRequestID string
	Username      string
	RememberMe    bool
	Pending       bool // password screen: offer to resend the activation email

	Form    signupForm
	Token   string          // activate: the link's secret, posted back
	Account *domain.Account // account screen
	Portals []portal        // account screen: the portals to open
	Back    string          // error screen: the URL of the screen a refused form came from

	Profile  profileForm // account screen: the profile form (PROF-1)
	NewEmail string      // change-email screen: the address asked for (PROF-2)

	// recovery (REC-1 to REC-5): on check-email "sent" (the recovery
	// variant of the screen), on the recover and success screens what the
	// link does ("unlock" or "reset"); Resends counts the check-email
	// screen's resends so far (REC-3).
	Recovery string
	Resends  int

	// logout confirmation: passed on to POST /logout
	ClientID, PostLogoutRedirectURI, State string
}

// problem is one field error: the field's name (also its element id) and
// the message key.
type problem struct {
	Field, Key string
}

// T translates key into the page's language. The password policy and
// lifetimes from the configuration are always available as {min}, {max},
// {classes}, {days} and {remember_days}; args adds name, value pairs.
func (p *page) T(key string, args ...string) string {
	pol := p.s.cfg.Policy
	all := append([]string{
		"min", strconv.Itoa(pol.MinLength),
		"max", strconv.Itoa(pol.MaxLength),
		"classes", strconv.Itoa(pol.MinClasses),
		"days", strconv.Itoa(wholeDays(p.s.cfg.ActivationTTL)),
		"remember_days", strconv.Itoa(wholeDays(p.s.cfg.RememberMe)),
	}, args...)
	return p.s.cat.T(p.Lang, key, all...)
}

// URL returns the issuer-based absolute URL of path with the query
// parameters given as name, value pairs; pairs with an empty value are
// left out. Links never come from the request's Host.
func (p *page) URL(path string, query ...string) string {
	return p.s.link(path, query...)
}

// Static returns the URL of the stylesheet ("css") or script ("js").
func (p *page) Static(kind string) string {
	return p.s.cfg.URL(p.s.assets.path(kind))
}

// HasErrors reports whether the page shows an error summary.
func (p *page) HasErrors() bool { return p.Error != "" || len(p.Problems) > 0 }

// FieldError returns the message key of the error of the named field, or "".
func (p *page) FieldError(name string) string {
	for _, pr := range p.Problems {
		if pr.Field == name {
			return pr.Key
		}
	}
	return ""
}

// Invalid reports whether the named field has an error.
func (p *page) Invalid(name string) bool { return p.FieldError(name) != "" }

// field is what the "text-field" template prints: one labelled input with
// its hint and error, linked by aria-describedby.
type field struct {
	Name, Type, Value, Autocomplete string
	Label, Hint, Error              string // translated
	DescribedBy                     string
	MaxLength                       int // the server's limit; 0 for none
	Autofocus                       bool
}

// Field describes the input name for the "text-field" template. Its label
// is the message field.<name>; hintKey may be "".
func (p *page) Field(name, typ, value, autocomplete, hintKey string) field {
	f := field{
		Name: name, Type: typ, Value: value, Autocomplete: autocomplete,
		Label: p.T("field." + name), MaxLength: p.s.maxLen(name),
	}
	var ids []string
	if hintKey != "" {
		f.Hint = p.T(hintKey)
		ids = append(ids, name+"-hint")
	}
	if msg := p.FieldMessage(name); msg != "" {
		f.Error = msg
		ids = append(ids, name+"-error")
	}
	for i, id := range ids {
		if i > 0 {
			f.DescribedBy += " "
		}
		f.DescribedBy += id
	}
	// Focus the first field of a fresh form; with errors the summary
	// takes focus instead.
	f.Autofocus = !p.HasErrors() && name == "email"
	return f
}

// link builds an absolute URL from the issuer, path and query pairs.
func (s *Server) link(path string, query ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(query); i += 2 {
		if query[i+1] != "" {
			q.Set(query[i], query[i+1])
		}
	}
	u := s.cfg.URL(path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}
