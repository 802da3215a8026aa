package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// errTooLarge is readForm's error for a body over maxBody.
var errTooLarge = errors.New("web: request body over the limit")

// readForm reads the body, at most maxBody bytes, and parses the form into
// r.PostForm. A larger body, whether its Content-Length says so or a
// chunked body grows past the limit, gives errTooLarge and the fields
// that could be read from its first maxBody bytes, which name the screen
// the form came from. Any other failure gives an error and no fields.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return prefixFields(r, body), errTooLarge
	}
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// prefixFields parses the complete name=value pairs at the start of a
// cut-off urlencoded body. The hidden fields come first in every form, so
// they are there even when a later field made the body too large.
func prefixFields(r *http.Request, body []byte) url.Values {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil
	}
	i := bytes.LastIndexByte(body, '&')
	if i < 0 {
		return nil
	}
	v, _ := url.ParseQuery(string(body[:i])) // keeps the pairs it could read
	return v
}

// formScreen is the screen that shows a form: its path, and the form
// fields that its address carries.
type formScreen struct {
	path  string
	carry []string
}

// formScreens maps the path a form posts to onto the screen it came from.
var formScreens = map[string]formScreen{
	"/login":           {"/login", []string{"authRequestID"}},
	"/login/password":  {"/login", []string{"authRequestID"}},
	"/signup":          {"/signup", []string{"authRequestID"}},
	"/activate":        {"/activate", []string{"token"}},
	"/activate/resend": {"/login", nil},
	"/trouble":         {"/trouble", nil},
	"/trouble/resend":  {"/trouble", nil},
	"/recover":         {"/recover", []string{"token"}},
	"/logout":          {"/logout", []string{"client_id", "post_logout_redirect_uri", "state"}},
}

// backPath is the local path (with its query) of the screen a refused
// form came from, for the error page's way back: "/login?authRequestID=X"
// for screen 2, say. form may be nil; a field longer than 512 bytes is
// not carried. An unknown form path goes back to "/login".
func backPath(r *http.Request, form url.Values) string {
	fs, ok := formScreens[r.URL.Path]
	if !ok {
		return "/login"
	}
	q := url.Values{}
	for _, name := range fs.carry {
		if v := form.Get(name); v != "" && len(v) <= 512 && !strings.ContainsAny(v, "\r\n") {
			q.Set(name, v)
		}
	}
	if len(q) == 0 {
		return fs.path
	}
	return fs.path + "?" + q.Encode()
}

// failForm shows the error page for a refused form, with a link back to
// the screen it came from; the language selector returns there too.
func (s *Server) failForm(w http.ResponseWriter, r *http.Request, status int, key string, form url.Values) {
	back := backPath(r, form)
	p := s.newPage(w, r, "error")
	p.Title, p.Error = statusTitle(status), key
	p.Next = back
	if back != "/login" { // the page's sign-in link is the way back then
		p.Back = s.cfg.URL(back)
	}
	s.write(w, r, status, p)
}
