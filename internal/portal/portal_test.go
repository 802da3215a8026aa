package portal

import (
	"net/http/httptest"
	"testing"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	xlanguage "golang.org/x/text/language"
)

func TestLanguageFollowsAcceptLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"":                        "en",
		"es-MX,es;q=0.9,en;q=0.8": "es",
		"en-US,es;q=0.5":          "en",
		"fr-FR, es;q=0.7":         "es",
		"de":                      "en",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		if got := language(r); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", header, got, want)
		}
	}
}

func TestLabelsExistInBothLanguages(t *testing.T) {
	for key := range labels["en"] {
		if labels["es"][key] == "" {
			t.Errorf("label %q has no Spanish", key)
		}
	}
	if len(labels["en"]) != len(labels["es"]) {
		t.Errorf("en has %d labels, es %d", len(labels["en"]), len(labels["es"]))
	}
}

func TestRegisteredURIs(t *testing.T) {
	if got := RedirectURI("http://127.0.0.1:8081/"); got != "http://127.0.0.1:8081/callback" {
		t.Errorf("RedirectURI = %s", got)
	}
	if got := PostLogoutRedirectURI("http://127.0.0.1:8081"); got != "http://127.0.0.1:8081/" {
		t.Errorf("PostLogoutRedirectURI = %s", got)
	}
}

func TestDisplayName(t *testing.T) {
	for _, tc := range []struct{ name, given, family, want string }{
		{"Ana Example", "Ana", "Example", "Ana Example"},
		{"", "Ana", "Example", "Ana Example"},
		{"", "Ana", "", "Ana"},
		{"", "", "", ""},
	} {
		if got := displayName(tc.name, tc.given, tc.family); got != tc.want {
			t.Errorf("displayName(%q, %q, %q) = %q", tc.name, tc.given, tc.family, got)
		}
	}
}

func TestLocaleClaimChoosesTheSignedInLanguage(t *testing.T) {
	for _, tc := range []struct {
		locale *zoidc.Locale
		want   string
	}{
		{zoidc.NewLocale(xlanguage.Spanish), "es"},
		{zoidc.NewLocale(xlanguage.MustParse("es-MX")), "es"},
		{zoidc.NewLocale(xlanguage.English), "en"},
		{zoidc.NewLocale(xlanguage.French), ""},
		{nil, ""},
	} {
		if got := localeLanguage(tc.locale); got != tc.want {
			t.Errorf("locale %v: %q, want %q", tc.locale, got, tc.want)
		}
	}
	// A session's language follows userinfo's locale, and keeps the
	// sign-in language when the claim is missing.
	s := &session{lang: "en"}
	s.fillFrom(&zoidc.UserInfo{UserInfoProfile: zoidc.UserInfoProfile{Locale: zoidc.NewLocale(xlanguage.Spanish)}})
	if s.lang != "es" {
		t.Errorf("after userinfo with locale es, lang %q", s.lang)
	}
	s.fillFrom(&zoidc.UserInfo{})
	if s.lang != "es" {
		t.Errorf("after userinfo without locale, lang %q", s.lang)
	}
}
