// Package password hashes and verifies passwords with argon2id (PWD-7) and
// checks them against the composition policy (PWD-1).
//
// Hashes are PHC strings:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with the salt (16 bytes) and key (32 bytes) in unpadded standard base64.
// Passwords are normalised to Unicode NFC before hashing, so the same
// characters typed on different systems give the same hash.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

const (
	saltLen = 16
	keyLen  = 32

	// Bounds on parameters read from a stored hash, so that a corrupt row
	// cannot make one verification take gigabytes or minutes.
	maxMemoryKiB  = 4 * 1024 * 1024
	maxIterations = 64
	minSaltLen    = 8
	minKeyLen     = 16
	maxKeyLen     = 64
)

// ErrMalformed is wrapped by every error Verify returns for a stored hash
// that is not an argon2id PHC string it accepts.
var ErrMalformed = errors.New("password: malformed hash")

var b64 = base64.RawStdEncoding

// Hasher hashes with one set of argon2id parameters. It is safe for
// concurrent use. At most GOMAXPROCS hashes run at once; more wait their
// turn, so a burst of sign-ins cannot allocate memory without bound.
type Hasher struct {
	p     config.Argon2
	dummy string
	slots chan struct{}
	work  atomic.Uint64
}

// NewHasher returns a Hasher for the parameters p.
func NewHasher(p config.Argon2) *Hasher {
	h := &Hasher{p: p, slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	// The dummy is a well-formed hash of the same parameters whose key is
	// random: verifying against it costs what a real verification costs and
	// never succeeds.
	h.dummy = format(p.MemoryKiB, p.Iterations, p.Parallelism, random(saltLen), random(keyLen))
	return h
}

// Hash returns the argon2id PHC string of pw with a fresh random salt.
func (h *Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := h.derive(pw, salt, h.p.MemoryKiB, h.p.Iterations, h.p.Parallelism, keyLen)
	return format(h.p.MemoryKiB, h.p.Iterations, h.p.Parallelism, salt, key), nil
}

// Verify reports whether pw matches the PHC string phc, comparing in
// constant time. needsRehash is true when pw matches but phc was made with
// parameters, salt or key length other than this Hasher's (PWD-7). A phc
// that cannot be parsed gives an error wrapping ErrMalformed.
func (h *Hasher) Verify(phc, pw string) (ok, needsRehash bool, err error) {
	ph, err := parse(phc)
	if err != nil {
		return false, false, err
	}
	key := h.derive(pw, ph.salt, ph.m, ph.t, ph.p, uint32(len(ph.key)))
	if subtle.ConstantTimeCompare(key, ph.key) != 1 {
		return false, false, nil
	}
	stale := ph.m != h.p.MemoryKiB || ph.t != h.p.Iterations || ph.p != h.p.Parallelism ||
		len(ph.salt) != saltLen || len(ph.key) != keyLen
	return true, stale, nil
}

// DummyVerify does the work of a Verify with this Hasher's parameters and
// throws the result away. Call it when there is no account, so that an
// unknown address takes as long as a known one.
func (h *Hasher) DummyVerify(pw string) {
	_, _, _ = h.Verify(h.dummy, pw)
}

func (h *Hasher) derive(pw string, salt []byte, m, t uint32, p uint8, n uint32) []byte {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	h.work.Add(uint64(m) * uint64(t) * uint64(p))
	return argon2.IDKey([]byte(norm.NFC.String(pw)), salt, t, m, p, n)
}

// Work returns the argon2id work this Hasher has done: the sum over every
// key derivation of memory (KiB) × iterations × parallelism. Two code paths
// cost the same when they add the same Work; tests compare it instead of
// wall-clock time, which a loaded machine makes noisy.
func (h *Hasher) Work() uint64 { return h.work.Load() }

type phcHash struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

// parse reads $argon2id$v=19$m=M,t=T,p=P$salt$key strictly: exactly these
// fields in this order, decimal numbers without sign or leading zeros, and
// unpadded standard base64.
func parse(phc string) (*phcHash, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[0] != "" {
		return nil, bad("want 5 fields separated by '$', got %d", len(f)-1)
	}
	if f[1] != "argon2id" {
		return nil, bad("algorithm %q is not argon2id", f[1])
	}
	if f[2] != "v=19" {
		return nil, bad("version %q is not v=19", f[2])
	}
	params := strings.Split(f[3], ",")
	if len(params) != 3 {
		return nil, bad("want parameters m,t,p, got %q", f[3])
	}
	var ph phcHash
	m, err := number(params[0], "m", maxMemoryKiB)
	if err != nil {
		return nil, bad("%v", err)
	}
	t, err := number(params[1], "t", maxIterations)
	if err != nil {
		return nil, bad("%v", err)
	}
	p, err := number(params[2], "p", 255)
	if err != nil {
		return nil, bad("%v", err)
	}
	ph.m, ph.t, ph.p = m, t, uint8(p)
	if ph.m < 8*uint32(ph.p) {
		return nil, bad("memory %d KiB is below 8 KiB per lane", ph.m)
	}
	if ph.salt, err = b64.Strict().DecodeString(f[4]); err != nil {
		return nil, bad("salt is not unpadded base64")
	}
	if len(ph.salt) < minSaltLen {
		return nil, bad("salt of %d bytes is shorter than %d", len(ph.salt), minSaltLen)
	}
	if ph.key, err = b64.Strict().DecodeString(f[5]); err != nil {
		return nil, bad("key is not unpadded base64")
	}
	if len(ph.key) < minKeyLen || len(ph.key) > maxKeyLen {
		return nil, bad("key of %d bytes is outside %d..%d", len(ph.key), minKeyLen, maxKeyLen)
	}
	return &ph, nil
}

// number parses "name=N" with 1 <= N <= limit.
func number(field, name string, limit uint32) (uint32, error) {
	v, ok := strings.CutPrefix(field, name+"=")
	if !ok {
		return 0, fmt.Errorf("want %s=, got %q", name, field)
	}
	if v == "" || v[0] < '1' || v[0] > '9' {
		return 0, fmt.Errorf("%s must be a positive decimal number without leading zeros, got %q", name, v)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > uint64(limit) {
		return 0, fmt.Errorf("%s=%s is out of range 1..%d", name, v, limit)
	}
	return uint32(n), nil
}

func format(m, t uint32, p uint8, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}
