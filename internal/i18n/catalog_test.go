package i18n

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// AccountErrorKeys are the message keys package accounts returns in
// domain.Error.Key and FieldErrors; each must be translated.
var accountErrorKeys = []string{
	"login.failed", "login.locked", "login.pending", "login.disabled", "link.invalid",
	"field.required", "field.too_long", "field.invalid", "email.invalid", "password.mismatch", "password.too_short",
	"password.too_long", "password.classes", "name.too_long", "language.invalid",
}

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestI18N1_EveryKeyInEveryLanguage reads the raw catalogs, so that it
// fails on a key present in one language only even if Load changed.
func TestI18N1_EveryKeyInEveryLanguage(t *testing.T) {
	raw := make(map[string]map[string]string)
	for _, lang := range Languages() {
		data, err := files.ReadFile("messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		raw[lang] = m
	}
	for _, a := range Languages() {
		for _, b := range Languages() {
			for k := range raw[a] {
				if _, ok := raw[b][k]; !ok {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
	mustLoad(t)
}

func TestI18N1_AccountErrorKeysTranslated(t *testing.T) {
	c := mustLoad(t)
	if missing := c.Missing(accountErrorKeys...); len(missing) > 0 {
		t.Fatalf("missing in some language: %v", missing)
	}
	for _, k := range accountErrorKeys {
		if c.T("en", k) == c.T("es", k) {
			t.Errorf("%s: Spanish equals English: %q", k, c.T("en", k))
		}
	}
}

// TestI18N1_PlaceholdersMatch checks that both languages use the same
// {placeholders} in each message, so no value is dropped in translation.
func TestI18N1_PlaceholdersMatch(t *testing.T) {
	c := mustLoad(t)
	holders := func(s string) []string {
		var out []string
		for {
			i := strings.IndexByte(s, '{')
			if i < 0 {
				break
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				break
			}
			out = append(out, s[i:i+j+1])
			s = s[i+j+1:]
		}
		slices.Sort(out)
		return out
	}
	for _, k := range c.Keys() {
		en, es := holders(c.T("en", k)), holders(c.T("es", k))
		if !slices.Equal(en, es) {
			t.Errorf("%s: placeholders en %v, es %v", k, en, es)
		}
	}
}

func TestT(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		name, lang, key string
		args            []string
		want            string
	}{
		{"english", "en", "identify.submit", nil, "Next"},
		{"spanish", "es", "identify.submit", nil, "Siguiente"},
		{"unsupported falls back to en", "fr", "identify.submit", nil, "Next"},
		{"unknown key shows itself", "es", "no.such.key", nil, "no.such.key"},
		{"placeholder", "es", "account.heading", []string{"name", "Ana"}, "Hola, Ana"},
		{"unused args ignored", "en", "identify.submit", []string{"x", "y"}, "Next"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.T(tt.lang, tt.key, tt.args...); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c := mustLoad(t)
	tests := []struct{ header, want string }{
		{"es-MX,es;q=0.9,en;q=0.8", "es"},
		{"en-US,en;q=0.9", "en"},
		{"fr-FR,es;q=0.5", "es"},
		{"fr-FR", ""},
		{"", ""},
		{"not a header;;;", ""},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := c.Match(tt.header); got != tt.want {
				t.Fatalf("Match(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
	if got := c.MatchList([]string{"de", "es-419"}); got != "es" {
		t.Fatalf("MatchList = %q, want es", got)
	}
	if got := c.MatchList([]string{"de"}); got != "" {
		t.Fatalf("MatchList(de) = %q, want empty", got)
	}
}

func TestSupported(t *testing.T) {
	if !Supported("es") || !Supported("en") || Supported("fr") || Supported("") {
		t.Fatal("Supported gives wrong answers")
	}
	l := Languages()
	l[0] = "xx"
	if Languages()[0] != Default {
		t.Fatal("Languages leaks its backing array")
	}
}
