package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Default is the language used when nothing else chooses one.
const Default = "en"

// supported lists the languages with a catalog, Default first: the order
// the language matcher prefers on a tie.
var supported = [...]string{"en", "es"}

// Languages returns the supported language codes, Default first.
func Languages() []string { return slices.Clone(supported[:]) }

// Supported reports whether lang is a supported language code.
func Supported(lang string) bool { return slices.Contains(supported[:], lang) }

//go:embed messages/*.json
var files embed.FS

// Catalog holds every message in every supported language. It is
// immutable after Load and safe for concurrent use.
type Catalog struct {
	msgs    map[string]map[string]string // lang -> key -> message
	keys    []string                     // sorted; the same in every language
	matcher language.Matcher
}

// Load parses the embedded catalogs. It fails when a catalog is missing or
// malformed, when a message is empty, or when a key exists in one language
// and not in another, naming every such key.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: make(map[string]map[string]string)}
	tags := make([]language.Tag, 0, len(supported))
	for _, lang := range supported {
		data, err := files.ReadFile("messages/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
		}
		m := make(map[string]string)
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
		}
		c.msgs[lang] = m
		tags = append(tags, language.MustParse(lang))
	}
	c.matcher = language.NewMatcher(tags)

	var problems []error
	all := make(map[string]bool)
	for _, m := range c.msgs {
		for k := range m {
			all[k] = true
		}
	}
	for k := range all {
		c.keys = append(c.keys, k)
	}
	sort.Strings(c.keys)
	for _, k := range c.keys {
		for _, lang := range supported {
			msg, ok := c.msgs[lang][k]
			switch {
			case !ok:
				problems = append(problems, fmt.Errorf("i18n: key %q missing in %s", k, lang))
			case strings.TrimSpace(msg) == "":
				problems = append(problems, fmt.Errorf("i18n: key %q empty in %s", k, lang))
			}
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return c, nil
}

// Keys returns every message key, sorted.
func (c *Catalog) Keys() []string { return slices.Clone(c.keys) }

// Has reports whether key exists in every supported language.
func (c *Catalog) Has(key string) bool {
	for _, lang := range supported {
		if _, ok := c.msgs[lang][key]; !ok {
			return false
		}
	}
	return true
}

// Missing returns the keys among keys that some language lacks.
func (c *Catalog) Missing(keys ...string) []string {
	var out []string
	for _, k := range keys {
		if !c.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

// T returns the message key in lang, with each {name} replaced by the value
// that follows name in args (name, value, name, value...). An unsupported
// lang falls back to Default; an unknown key returns the key itself, so a
// missing message shows up on the page rather than as a blank.
func (c *Catalog) T(lang, key string, args ...string) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[Default]
	}
	msg, ok := m[key]
	if !ok {
		return key
	}
	if len(args) < 2 {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// Match returns the supported language that best fits an Accept-Language
// header value, or "" when the header names none of them.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ""
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return ""
	}
	return supported[i]
}

// MatchList returns the first of langs (BCP 47 tags, such as OpenID
// Connect ui_locales) that a supported language fits, or "".
func (c *Catalog) MatchList(langs []string) string {
	for _, l := range langs {
		t, err := language.Parse(l)
		if err != nil {
			continue
		}
		if _, i, conf := c.matcher.Match(t); conf != language.No {
			return supported[i]
		}
	}
	return ""
}
