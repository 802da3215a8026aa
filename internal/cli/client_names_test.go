package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

func TestClientAddRefusesIDsNamesAndHostsPeopleWouldMisread(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"upper-case id", []string{"--id", "Member-Portal"}, "lower-case"},
		{"wildcard host", []string{"--redirect-uri", "https://*.example.org/cb"}, "wildcards"},
		{"wildcard in a label", []string{"--redirect-uri", "https://portal*.example.org/cb"}, "wildcards"},
		{"encoded wildcard", []string{"--redirect-uri", "https://%2A.example.org/cb"}, "--redirect-uri"},
		{"wildcard post-logout", []string{"--post-logout-redirect-uri", "https://*.example.org/"}, "wildcards"},
		{"long name", []string{"--name", strings.Repeat("n", 101)}, "at most 100 characters"},
		{"escape code", []string{"--name", "Portal\x1b[2J"}, `Portal\x1b[2J`},
		{"newline", []string{"--name", "Portal\nX"}, "control characters"},
		{"tab", []string{"--name", "Portal\tX"}, "control characters"},
		{"C1 control", []string{"--name", "Portal\u009b31m"}, "control characters"},
		{"bidi override", []string{"--name", "Portal \u202egnp.exe"}, "control characters"},
		{"blank name", []string{"--name", "   "}, "--name: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"client", "add", "--data-dir", t.TempDir(), "--id", "p", "--name", "P",
				"--redirect-uri", "https://p.example.org/cb"}
			r := run(t, nil, append(args, tc.args...)...)
			if r.code() != 2 || !strings.Contains(r.err.Error(), tc.want) {
				t.Fatalf("exit %d, err %v; want 2 and a message about %q", r.code(), r.err, tc.want)
			}
		})
	}
	// At the limits: 100 characters (not bytes), accents, an emoji.
	dir := t.TempDir()
	for i, name := range []string{strings.Repeat("é", 100), "Portal de miembros 🏥", "医疗门户"} {
		id := []string{"a", "b", "c"}[i]
		if r := run(t, nil, "client", "add", "--data-dir", dir, "--id", id, "--name", name,
			"--redirect-uri", "https://p.example.org/cb"); r.err != nil {
			t.Errorf("name %q: %v", name, r.err)
		}
	}
}

func TestClientAddRefusesAnIDDifferingOnlyInCaseFromAnExistingOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := run(t, nil, "migrate", "--data-dir", dir); r.err != nil {
		t.Fatal(r.err)
	}
	// Registered before ids were lower case only.
	db := openDataDir(t, dir)
	err := db.CreateClient(context.Background(), &domain.Client{ID: "Member-Portal", Name: "Old", SecretDigest: strings.Repeat("0", 64),
		RedirectURIs: []string{"https://m.example.org/cb"}, PortalType: domain.PortalMember, CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "client", "add", "--data-dir", dir, "--id", "member-portal", "--name", "New",
		"--redirect-uri", "https://m.example.org/cb")
	if r.code() != 1 || !strings.Contains(r.err.Error(), "letter case") {
		t.Fatalf("exit %d, %v; want a refusal naming letter case", r.code(), r.err)
	}
	if _, err := db.ClientByID(context.Background(), "member-portal"); !domain.IsNotFound(err) {
		t.Errorf("the case twin was stored: %v", err)
	}
}

func TestClientListShowsNamesSafelyInStraightColumns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := run(t, nil, "migrate", "--data-dir", dir); r.err != nil {
		t.Fatal(r.err)
	}
	db := openDataDir(t, dir)
	// Names stored before client add checked them, and ones it accepts.
	for id, name := range map[string]string{
		"a-esc":   "Evil\x1b[2J\x1b]0;pwned\x07",
		"b-tab":   "Tab\there",
		"c-bidi":  "Bidi \u202egnp.exe",
		"d-accnt": "Portal de miembros",
		"e-comb":  "Cafe\u0301 portal",
		"f-wide":  "医疗门户",
	} {
		err := db.CreateClient(context.Background(), &domain.Client{ID: id, Name: name, SecretDigest: strings.Repeat("0", 64),
			RedirectURIs: []string{"https://" + id + ".example.org/cb"}, PortalType: domain.PortalMember,
			CreatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, nil, "client", "list", "--data-dir", dir)
	if r.err != nil {
		t.Fatal(r.err)
	}
	out := r.stdout.String()
	for _, bad := range []string{"\x1b", "\x07", "\t", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("client list printed %q raw:\n%s", bad, out)
		}
	}
	for _, want := range []string{`Evil\x1b[2J\x1b]0;pwned\x07`, `Tab\x09here`, `Bidi \u202egnp.exe`, "Cafe\u0301 portal", "医疗门户"} {
		if !strings.Contains(out, want) {
			t.Errorf("client list does not show %q:\n%s", want, out)
		}
	}
	// Every row's TYPE column starts at the same terminal column.
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("%d lines, want a header and 6 rows:\n%s", len(lines), out)
	}
	col := -1
	for _, l := range lines {
		i := strings.Index(l, "member")
		if l == lines[0] {
			i = strings.Index(l, "TYPE")
		}
		c := displayWidth(l[:i])
		if col == -1 {
			col = c
		}
		if c != col {
			t.Errorf("TYPE at column %d, want %d:\n%s", c, col, out)
		}
	}
}

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{"abc": 3, "María": 5, "e\u0301": 1, "医疗": 4, "ｆｕｌｌ": 8, "": 0} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestClientHelpSaysPlainlyWhichDatabase(t *testing.T) {
	r := run(t, nil, "client", "--help")
	out := r.stdout.String()
	if r.err != nil || strings.Contains(out, "--data-dir / --database name") {
		t.Fatalf("client --help: %v\n%s", r.err, out)
	}
	for _, want := range []string{"same database as serve", "--data-dir", "--database", "while serve is running"} {
		if !strings.Contains(out, want) {
			t.Errorf("client --help does not say %q:\n%s", want, out)
		}
	}
}
