package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// KeyCommon is the message key CheckPolicy returns for a password found in
// the list of common and breached passwords (PWD-8).
const KeyCommon = "password.common"

// commonGz is the list of common and breached passwords shipped inside the
// binary: one password a line, gzip-compressed. Source and licence are in
// data/README.md.
//
//go:embed data/common-passwords.txt.gz
var commonGz []byte

// commonList is the screening list in memory: every entry NFC-normalised
// and case-folded, sorted and without duplicates, stored back to back in
// one string with the start offset of each entry (about 2 MB of text and
// 0.8 MB of offsets, instead of a map's ~15 MB).
type commonList struct {
	text string
	off  []uint32 // entry i is text[off[i]:off[i+1]]; len(off) = entries+1
}

var (
	commonOnce sync.Once
	common     *commonList
)

// commonPasswords returns the list, decompressing it on first use.
func commonPasswords() *commonList {
	commonOnce.Do(func() { common = loadCommon(commonGz) })
	return common
}

// loadCommon reads a gzip list. A damaged embedded list cannot happen in a
// built binary (tests read it), so it panics rather than screening nothing.
func loadCommon(gz []byte) *commonList {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic("password: embedded common-password list: " + err.Error())
	}
	var entries []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if e := foldPassword(strings.TrimRight(sc.Text(), "\r")); e != "" {
			entries = append(entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		panic("password: embedded common-password list: " + err.Error())
	}
	slices.Sort(entries)
	entries = slices.Compact(entries)
	var b strings.Builder
	off := make([]uint32, 0, len(entries)+1)
	for _, e := range entries {
		off = append(off, uint32(b.Len()))
		b.WriteString(e)
	}
	off = append(off, uint32(b.Len()))
	return &commonList{text: b.String(), off: off}
}

// foldPassword is the comparison form: NFC, then Unicode case folding.
func foldPassword(pw string) string {
	return cases.Fold().String(norm.NFC.String(pw))
}

// len returns the number of entries.
func (l *commonList) len() int { return len(l.off) - 1 }

func (l *commonList) at(i int) string { return l.text[l.off[i]:l.off[i+1]] }

// contains reports whether the folded password is in the list (binary
// search).
func (l *commonList) contains(folded string) bool {
	lo, hi := 0, l.len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := strings.Compare(l.at(m), folded); {
		case c == 0:
			return true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}

// IsCommon reports whether pw, after NFC and case folding, is in the list
// of common and breached passwords that ships with EntryKeyID (PWD-8). The
// list is loaded once, on first use.
func IsCommon(pw string) bool {
	return commonPasswords().contains(foldPassword(pw))
}
