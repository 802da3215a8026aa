package oidc

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// sealKey is an AES-256-GCM key for opaque tokens.
type sealKey struct {
	id   string
	aead cipher.AEAD
}

func newSealKey(id string, raw []byte) (*sealKey, error) {
	if len(raw) != 32 {
		return nil, fmt.Errorf("sealing key is %d bytes, want 32", len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealKey{id: id, aead: aead}, nil
}

var errUnsealable = errors.New("oidc: token cannot be opened")

// sealer implements op.Crypto. The library gives it "tokenID:subject"
// for an access token and the auth request id for a code; the result is
// "<key id>.<base64url(nonce | AES-GCM ciphertext)>", with the key id
// bound as additional data. Any node holding the store's sealing keys
// opens it, so tokens survive restarts and work across nodes.
type sealer struct {
	keys *keyRing
}

// Encrypt seals s with the current sealing key.
func (c sealer) Encrypt(s string) (string, error) {
	k := c.keys.current(context.Background()).sealer
	if k == nil {
		return "", errors.New("oidc: no sealing key")
	}
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(s)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := k.aead.Seal(nonce, nonce, []byte(s), []byte(k.id))
	return k.id + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// Decrypt opens a value made by Encrypt with any known sealing key,
// rereading the store once when the key id is unknown.
func (c sealer) Decrypt(s string) (string, error) {
	kid, body, ok := strings.Cut(s, ".")
	if !ok || kid == "" {
		return "", errUnsealable
	}
	ctx := context.Background()
	k := c.keys.current(ctx).sealers[kid]
	if k == nil {
		c.keys.forceReload(ctx)
		if k = c.keys.current(ctx).sealers[kid]; k == nil {
			return "", errUnsealable
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return "", errUnsealable
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(kid))
	if err != nil {
		return "", errUnsealable
	}
	return string(plain), nil
}
