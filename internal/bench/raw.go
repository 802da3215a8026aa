package bench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/password"
)

// rate runs op on GOMAXPROCS goroutines for d and returns completed
// operations per second.
func rate(d time.Duration, op func() error) (float64, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(end) {
				if err := op(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), firstErr
}

// argon2Rate measures password verifications per second at the
// configured argon2id parameters with the server's own hasher: the cost
// that bounds a password sign-in.
func argon2Rate(p config.Argon2, d time.Duration) (float64, error) {
	h := password.NewHasher(p)
	const pw = "Bench-Password-1"
	phc, err := h.Hash(pw)
	if err != nil {
		return 0, err
	}
	return rate(d, func() error {
		ok, _, err := h.Verify(phc, pw)
		if err == nil && !ok {
			err = errors.New("argon2: verify refused the right password")
		}
		return err
	})
}

// signRate measures JWS compact signatures per second of a typical ID
// token with the server's current signing key of alg (a new key of the
// same kind when the store has none).
func signRate(ctx context.Context, store domain.Store, alg string, d time.Duration) (float64, error) {
	key, kid, err := signingKey(ctx, store, alg)
	if err != nil {
		return 0, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return 0, fmt.Errorf("bench: signer: %w", err)
	}
	now := time.Now().Unix()
	payload, _ := json.Marshal(map[string]any{
		"iss": "http://127.0.0.1:8080", "sub": "0f8fad5b-d9cb-469f-a165-70867728950e",
		"aud": []string{"member-portal"}, "azp": "member-portal",
		"exp": now + 900, "iat": now, "auth_time": now, "nonce": "n-0S6_WzA2Mj",
		"sid":     "9b2c3a0f4c1d0e5e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e",
		"at_hash": "77QmUPtjPfzWtF2AnpK9RQ", "amr": []string{"pwd"},
		"email": "maria.garcia@example.org", "email_verified": true,
		"name": "María García", "given_name": "María", "family_name": "García", "locale": "es",
	})
	return rate(d, func() error {
		jws, err := signer.Sign(payload)
		if err == nil {
			_, err = jws.CompactSerialize()
		}
		return err
	})
}

// signingKey returns the newest unretired key of alg in the store, or a
// fresh key of the kind the provider creates.
func signingKey(ctx context.Context, store domain.Store, alg string) (crypto.Signer, string, error) {
	keys, err := store.ListSigningKeys(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("bench: signing keys: %w", err)
	}
	for _, k := range keys {
		if k.Alg != alg || k.RetiredAt != nil {
			continue
		}
		block, _ := pem.Decode([]byte(k.PrivatePEM))
		if block == nil {
			return nil, "", fmt.Errorf("bench: signing key %s: not PEM", k.ID)
		}
		priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, "", fmt.Errorf("bench: signing key %s: %w", k.ID, err)
		}
		s, ok := priv.(crypto.Signer)
		if !ok {
			return nil, "", fmt.Errorf("bench: signing key %s: not a signer", k.ID)
		}
		return s, k.ID, nil
	}
	switch alg {
	case "ES256":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return k, "bench", err
	default:
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		return k, "bench", err
	}
}
