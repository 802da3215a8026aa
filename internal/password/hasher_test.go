package password

import (
	"errors"
	"strings"
	"testing"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

// small keeps tests fast; the defaults are exercised once, in
// TestPWD7_DefaultParameters.
var small = config.Argon2{MemoryKiB: 8192, Iterations: 1, Parallelism: 1}

func TestPWD7_HashIsArgon2idPHC(t *testing.T) {
	h := NewHasher(small)
	phc, err := h.Hash("Secret-123")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[1] != "argon2id" || f[2] != "v=19" || f[3] != "m=8192,t=1,p=1" {
		t.Fatalf("hash %q is not an argon2id PHC string with the configured parameters", phc)
	}
	if salt, _ := b64.DecodeString(f[4]); len(salt) != saltLen {
		t.Errorf("salt has %d bytes, want %d", len(salt), saltLen)
	}
	if key, _ := b64.DecodeString(f[5]); len(key) != keyLen {
		t.Errorf("key has %d bytes, want %d", len(key), keyLen)
	}
	again, _ := h.Hash("Secret-123")
	if again == phc {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestPWD7_Verify(t *testing.T) {
	h := NewHasher(small)
	for _, pw := range []string{
		"Secret-123",
		"correct horse battery staple " + strings.Repeat("long passphrase ", 20),
		"Contraseña-Ñandú-7",
		"パスワード😀Pass1",
		"",
	} {
		phc, err := h.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		ok, rehash, err := h.Verify(phc, pw)
		if !ok || rehash || err != nil {
			t.Errorf("Verify(right %q) = %v, %v, %v; want true, false, nil", pw, ok, rehash, err)
		}
		ok, rehash, err = h.Verify(phc, pw+"x")
		if ok || rehash || err != nil {
			t.Errorf("Verify(wrong %q) = %v, %v, %v; want false, false, nil", pw, ok, rehash, err)
		}
	}
}

func TestPWD7_VerifyNormalisesUnicode(t *testing.T) {
	h := NewHasher(small)
	composed, decomposed := "Caf\u00e9-Secret-1", "Cafe\u0301-Secret-1"
	phc, err := h.Hash(composed)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := h.Verify(phc, decomposed); !ok {
		t.Error("the decomposed form of the password was refused")
	}
}

func TestPWD7_RehashDetectedForOldParameters(t *testing.T) {
	old := NewHasher(small)
	phc, err := old.Hash("Secret-123")
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]config.Argon2{
		"memory":      {MemoryKiB: 9216, Iterations: 1, Parallelism: 1},
		"iterations":  {MemoryKiB: 8192, Iterations: 2, Parallelism: 1},
		"parallelism": {MemoryKiB: 8192, Iterations: 1, Parallelism: 2},
	} {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := NewHasher(p).Verify(phc, "Secret-123")
			if !ok || !rehash || err != nil {
				t.Fatalf("Verify = %v, %v, %v; want true, true, nil", ok, rehash, err)
			}
			ok, rehash, _ = NewHasher(p).Verify(phc, "wrong")
			if ok || rehash {
				t.Fatalf("wrong password: Verify = %v, %v; want false, false", ok, rehash)
			}
		})
	}
	t.Run("same parameters", func(t *testing.T) {
		if _, rehash, _ := NewHasher(small).Verify(phc, "Secret-123"); rehash {
			t.Fatal("rehash asked for a hash with the current parameters")
		}
	})
	t.Run("short salt", func(t *testing.T) {
		f := strings.Split(phc, "$")
		key := old.derive("Secret-123", []byte("8bytes!!"), 8192, 1, 1, keyLen)
		short := strings.Join([]string{"", f[1], f[2], f[3], b64.EncodeToString([]byte("8bytes!!")), b64.EncodeToString(key)}, "$")
		ok, rehash, err := old.Verify(short, "Secret-123")
		if !ok || !rehash || err != nil {
			t.Fatalf("Verify = %v, %v, %v; want true, true, nil", ok, rehash, err)
		}
	})
}

func TestPWD7_DefaultParameters(t *testing.T) {
	h := NewHasher(config.Default().Argon2)
	phc, err := h.Hash("Secret-123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the default parameters", phc)
	}
	if ok, rehash, err := h.Verify(phc, "Secret-123"); !ok || rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	// An older, cheaper hash is upgraded under the defaults.
	oldPHC, _ := NewHasher(small).Hash("Secret-123")
	if ok, rehash, _ := h.Verify(oldPHC, "Secret-123"); !ok || !rehash {
		t.Fatalf("old hash: Verify = %v, %v; want true, true", ok, rehash)
	}
}

func TestPWD7_VerifyRejectsMalformed(t *testing.T) {
	h := NewHasher(small)
	good, _ := h.Hash("Secret-123")
	f := strings.Split(good, "$")
	join := func(parts ...string) string { return strings.Join(parts, "$") }
	for name, phc := range map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":          join("", "argon2i", f[2], f[3], f[4], f[5]),
		"version 16":       join("", "argon2id", "v=16", f[3], f[4], f[5]),
		"no version":       join("", "argon2id", f[3], f[4], f[5]),
		"extra field":      good + "$x",
		"params reordered": join("", f[1], f[2], "t=1,m=8192,p=1", f[4], f[5]),
		"param missing":    join("", f[1], f[2], "m=8192,t=1", f[4], f[5]),
		"param zero":       join("", f[1], f[2], "m=8192,t=0,p=1", f[4], f[5]),
		"leading zero":     join("", f[1], f[2], "m=08192,t=1,p=1", f[4], f[5]),
		"signed":           join("", f[1], f[2], "m=+8192,t=1,p=1", f[4], f[5]),
		"huge memory":      join("", f[1], f[2], "m=99999999,t=1,p=1", f[4], f[5]),
		"huge iterations":  join("", f[1], f[2], "m=8192,t=1000,p=1", f[4], f[5]),
		"p too big":        join("", f[1], f[2], "m=8192,t=1,p=256", f[4], f[5]),
		"padded salt":      join("", f[1], f[2], f[3], f[4]+"==", f[5]),
		"salt not base64":  join("", f[1], f[2], f[3], "!!!!", f[5]),
		"salt too short":   join("", f[1], f[2], f[3], b64.EncodeToString([]byte("1234")), f[5]),
		"key too short":    join("", f[1], f[2], f[3], f[4], b64.EncodeToString([]byte("short"))),
		"key not base64":   join("", f[1], f[2], f[3], f[4], "***"),
		"no leading $":     strings.TrimPrefix(good, "$"),
	} {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := h.Verify(phc, "Secret-123")
			if ok || rehash || !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify(%q) = %v, %v, %v; want false, false, ErrMalformed", phc, ok, rehash, err)
			}
		})
	}
}

// TestPWD7_DummyVerifyCostsAsMuchAsVerify checks that DummyVerify does the
// same argon2id work as a real Verify (same parameters, one derivation).
func TestPWD7_DummyVerifyCostsAsMuchAsVerify(t *testing.T) {
	h := NewHasher(small)
	phc, _ := h.Hash("Secret-123")
	before := h.Work()
	_, _, _ = h.Verify(phc, "Secret-123")
	real := h.Work() - before
	before = h.Work()
	h.DummyVerify("Secret-123")
	dummy := h.Work() - before
	if real == 0 || dummy != real {
		t.Fatalf("DummyVerify did %d units of argon2id work, Verify %d: want the same, non-zero", dummy, real)
	}
}
