package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// newKeyID returns 128 random bits in hex.
func newKeyID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newSigningKeyRow(alg string, now time.Time) (*domain.SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case AlgRS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case AlgES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("oidc: unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("oidc: generate %s key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("oidc: encode %s key: %w", alg, err)
	}
	pemText := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return &domain.SigningKey{ID: newKeyID(), Alg: alg, PrivatePEM: string(pemText), CreatedAt: now}, nil
}

func newSealKeyRow(now time.Time) (*domain.SigningKey, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("oidc: generate sealing key: %w", err)
	}
	return &domain.SigningKey{
		ID: newKeyID(), Alg: AlgAES256, CreatedAt: now,
		PrivatePEM: base64.StdEncoding.EncodeToString(b[:]),
	}, nil
}

// parseKeyRow turns a stored row into a *signingKey or a *sealKey.
func parseKeyRow(row *domain.SigningKey) (any, error) {
	if row.Alg == AlgAES256 {
		raw, err := base64.StdEncoding.DecodeString(row.PrivatePEM)
		if err != nil {
			return nil, fmt.Errorf("sealing key: %w", err)
		}
		return newSealKey(row.ID, raw)
	}
	block, _ := pem.Decode([]byte(row.PrivatePEM))
	if block == nil {
		return nil, errors.New("not PEM")
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		if row.Alg != AlgRS256 {
			return nil, fmt.Errorf("RSA key stored as %s", row.Alg)
		}
		return &signingKey{id: row.ID, alg: jose.RS256, private: k}, nil
	case *ecdsa.PrivateKey:
		if row.Alg != AlgES256 || k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("EC key stored as %s", row.Alg)
		}
		return &signingKey{id: row.ID, alg: jose.ES256, private: k}, nil
	}
	return nil, fmt.Errorf("unsupported key type %T", priv)
}
