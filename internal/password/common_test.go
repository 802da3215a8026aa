package password

import (
	"runtime"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

func TestPWD8_CommonPasswordsRefused(t *testing.T) {
	def := config.Default().Policy
	for _, pw := range []string{"password", "Password1", "PASSWORD1", "baseball", "12345678", "Qwerty123"} {
		if !slices.Contains(CheckPolicy(def, pw), KeyCommon) {
			t.Errorf("CheckPolicy(%q) = %v, want %s", pw, CheckPolicy(def, pw), KeyCommon)
		}
	}
	for _, pw := range []string{"Vq7#stoneRiver-42", "Correct horse battery staple 9"} {
		if slices.Contains(CheckPolicy(def, pw), KeyCommon) {
			t.Errorf("CheckPolicy(%q) refuses an uncommon password as common", pw)
		}
	}
}

func TestPWD8_CommonListCaseInsensitiveAfterNFC(t *testing.T) {
	// "PassWord1" in any case, and a decomposed accent that NFC composes.
	if !IsCommon("pAsSwOrD1") {
		t.Error("case is not ignored")
	}
	l := commonPasswords()
	var accented string
	for i := 0; i < l.len(); i++ {
		if e := l.at(i); e != foldPassword(e) || hasComposed(e) {
			if hasComposed(e) {
				accented = e
				break
			}
		}
	}
	if accented == "" {
		t.Skip("no precomposed accented entry in the list")
	}
	if !IsCommon(decompose(accented)) {
		t.Errorf("decomposed form of %q not found", accented)
	}
}

func TestPWD8_CommonListLoadedSortedAndModest(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l := loadCommon(commonGz)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if l.len() < 100_000 {
		t.Fatalf("list has %d entries, want at least 100,000", l.len())
	}
	for i := 1; i < l.len(); i++ {
		if l.at(i-1) >= l.at(i) {
			t.Fatalf("entries %d and %d out of order", i-1, i)
		}
	}
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d entries, %d bytes of text, heap after load %.1f MB", l.len(), len(l.text), float64(heap)/1e6)
	if heap > 8<<20 {
		t.Errorf("list holds %d bytes of heap, want under 8 MiB", heap)
	}
	runtime.KeepAlive(l)
}

func BenchmarkIsCommon(b *testing.B) {
	commonPasswords()
	for b.Loop() {
		IsCommon("Vq7#stoneRiver-42")
	}
}

func hasComposed(s string) bool {
	for _, r := range s {
		if r >= 0xC0 && r <= 0xFF && r != 0xD7 && r != 0xF7 {
			return true
		}
	}
	return false
}

func decompose(s string) string { return norm.NFD.String(s) }
