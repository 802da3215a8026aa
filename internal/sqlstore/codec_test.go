package sqlstore

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The hand-written codecs give exactly what the library functions give.

func TestFixedTimeMatchesTimePackage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 0, 1000, time.UTC),
	}
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(300000000000)-62135596800, r.Int64N(1e9)).UTC().Truncate(time.Microsecond))
	}
	for _, tm := range times {
		got, want := formatFixedTime(tm), tm.Format(sqliteTimeLayout)
		if got != want {
			t.Fatalf("formatFixedTime(%v) = %q, want %q", tm, got, want)
		}
		back, ok := parseFixedTime(got)
		if !ok || !back.Equal(tm) || back.Location() != time.UTC {
			t.Fatalf("parseFixedTime(%q) = %v, %v", got, back, ok)
		}
	}
	for _, s := range []string{
		"2024-11-31T00:00:00.000000Z", "2023-02-29T00:00:00.000000Z", "2024-13-01T00:00:00.000000Z",
		"2024-01-01T24:00:00.000000Z", "2024-01-01T00:60:00.000000Z", "2024-01-01T00:00:60.000000Z",
		"2024-01-01 00:00:00.000000Z", "2024-01-01T00:00:00.00000aZ", "2024-01-01T00:00:00Z", "",
		"+024-01-01T00:00:00.000000Z",
	} {
		if _, ok := parseFixedTime(s); ok {
			t.Errorf("parseFixedTime(%q) accepted it", s)
		}
	}
}

func TestPlainListMatchesJSON(t *testing.T) {
	lists := [][]string{
		nil, {""}, {"openid"}, {"openid", "profile", "email"}, {"a b", "x,y", "[", "]"},
		{"<script>"}, {"a&b"}, {`q"uote`}, {`back\slash`}, {"tab\there"}, {"ñandú"}, {"", ""},
	}
	for _, l := range lists {
		want, _ := json.Marshal(l)
		if l == nil {
			want = []byte("[]")
		}
		if got := listArg(l); got != string(want) {
			t.Errorf("listArg(%q) = %s, want %s", l, got, want)
		}
		var back []string
		if err := (listCol{&back}).Scan(listArg(l)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(back, l) || (len(l) == 0) != (back == nil) {
			t.Errorf("listCol(listArg(%q)) = %q", l, back)
		}
	}
	// Text the fast path must leave to encoding/json, which reads it so.
	for _, s := range []string{`[ "a" ]`, `["a",]`, `["a""b"]`, `["\u0041"]`, `["a",` + "\n" + `"b"]`, `[`, `["a"`, `[,]`} {
		if l, ok := parsePlainList(s); ok {
			t.Errorf("parsePlainList(%q) = %q, want a fall-back", s, l)
		}
	}
	var fromJSON []string
	if err := (listCol{&fromJSON}).Scan(`[ "a", "\u0042" ]`); err != nil || !slices.Equal(fromJSON, []string{"a", "B"}) {
		t.Errorf("listCol with spaces and escapes = %q, %v", fromJSON, err)
	}
}
