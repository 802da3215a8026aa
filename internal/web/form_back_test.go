package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// oversizedForm is a screen 2 form whose password field makes the body
// larger than maxBody; its hidden fields come first, as in the page.
func oversizedForm(csrf, authRequestID string) string {
	return url.Values{csrfField: {csrf}, "authRequestID": {authRequestID}}.Encode() +
		"&username=ana%40example.test&password=" + strings.Repeat("x", maxBody+1024)
}

// TestBadInput_OversizedBodyPageHasWayBack: a form body over 64 KiB,
// whether its Content-Length says so or it comes chunked, gets the full
// styled 413 page in the person's language, with a link back to the
// screen the form came from, and signs nobody in. Sent over a real
// connection, as a browser would.
func TestBadInput_OversizedBodyPageHasWayBack(t *testing.T) {
	e := newEnv(t)
	e.activeAccount("ana@example.test", "en")
	e.authRequest("ar1", nil, nil)
	ts := httptest.NewServer(e.h)
	defer ts.Close()

	for _, chunked := range []bool{false, true} {
		for _, lang := range []string{"en", "es"} {
			t.Run(fmt.Sprintf("chunked=%v/%s", chunked, lang), func(t *testing.T) {
				body := oversizedForm("token-of-the-form-not-checked-before-size", "ar1")
				var rd io.Reader = strings.NewReader(body)
				if chunked {
					rd = io.MultiReader(rd) // no length known: sent chunked
				}
				req, err := http.NewRequest(http.MethodPost, ts.URL+"/login/password", rd)
				if err != nil {
					t.Fatal(err)
				}
				if chunked {
					req.ContentLength = -1
				} else if req.ContentLength != int64(len(body)) {
					t.Fatalf("Content-Length %d", req.ContentLength)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.Header.Set("Accept-Language", lang)
				res, err := ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				if chunked && len(res.Request.TransferEncoding) == 0 && res.Request.ContentLength != -1 {
					t.Fatal("the request was not sent chunked")
				}
				page, _ := io.ReadAll(res.Body)
				r := &response{Response: res, body: string(page)}
				r.wantStatus(t, http.StatusRequestEntityTooLarge).wantScreen(t, "error")
				r.wantBody(t,
					`<html lang="`+lang+`">`, `<link rel="stylesheet" href="`+issuer+`/static/app.`,
					map[string]string{"en": "Too much data", "es": "Demasiados datos"}[lang],
					map[string]string{"en": "larger than we accept (64 KiB)", "es": "supera el tamaño que aceptamos (64 KiB)"}[lang],
					`<a id="back" href="`+issuer+`/login?authRequestID=ar1">`+
						map[string]string{"en": "Go back to the previous screen", "es": "Volver a la pantalla anterior"}[lang]+`</a>`,
					`<input type="hidden" name="next" value="/login?authRequestID=ar1">`,
				)
				if res.Header.Get("Content-Language") != lang || res.Header.Get("Set-Cookie") != "" &&
					strings.Contains(res.Header.Get("Set-Cookie"), sessionCookieName) {
					t.Errorf("Content-Language %q, Set-Cookie %q", res.Header.Get("Content-Language"), res.Header.Get("Set-Cookie"))
				}
			})
		}
	}
	if ar, _ := e.store.AuthRequestByID(context.Background(), "ar1"); ar.Done {
		t.Fatal("an oversized form completed the sign-in")
	}
}

// TestBadInput_BackLinkPerForm: each form's refusal links back to the
// screen that shows it, carrying only that screen's own parameters.
func TestBadInput_BackLinkPerForm(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path, form, back string
	}{
		{"/login", "authRequestID=ar1&username=a", "/login?authRequestID=ar1"},
		{"/signup", "email=a&authRequestID=x", "/signup?authRequestID=x"},
		{"/activate", "token=t0k", "/activate?token=t0k"},
		{"/logout", "client_id=member-portal&state=s&other=1", "/logout?client_id=member-portal&state=s"},
		{"/activate/resend", "email=a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, issuer+tt.path, strings.NewReader(tt.form+"&big="+strings.Repeat("y", maxBody)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			r := e.browser().do(req).wantStatus(t, http.StatusRequestEntityTooLarge)
			if tt.back == "" {
				if strings.Contains(r.body, `id="back"`) {
					t.Error("a back link besides the sign-in link")
				}
				return
			}
			r.wantBody(t, `<a id="back" href="`+issuer+strings.ReplaceAll(tt.back, "&", "&amp;")+`">`)
		})
	}
	// A refused CSRF token links back too.
	b := e.browser()
	b.post("/signup", url.Values{csrfField: {"wrong"}, "authRequestID": {"ar9"}}).wantStatus(t, http.StatusForbidden).
		wantBody(t, `<a id="back" href="`+issuer+`/signup?authRequestID=ar9">`)
}
