package oidc

import (
	"context"
	"crypto"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Key algorithms kept in the signing_keys table. AlgAES256 rows hold the
// symmetric key that seals opaque access tokens and authorization codes;
// they are never published.
const (
	AlgRS256  = "RS256"
	AlgES256  = "ES256"
	AlgAES256 = "AES256"
)

// retiredGrace is how long a retired key stays in the JWKS, so tokens it
// signed just before rotation still verify (OPS-5).
const retiredGrace = 24 * time.Hour

// keyRefresh is how often the key ring rereads the store, so that a key
// created or retired by another node is seen without a restart.
const keyRefresh = time.Minute

// forcedReloadGap limits rereads caused by an unknown key id (a token
// from another node's fresh key, or garbage) to one per gap.
const forcedReloadGap = time.Second

// signingKey is a parsed private key; it implements op.SigningKey.
type signingKey struct {
	id      string
	alg     jose.SignatureAlgorithm
	private crypto.Signer
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.private }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is a published verification key; it implements op.Key.
type publicKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return k.alg }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.key }

// keySnapshot is one immutable view of the keys; readers take it without
// locking.
type keySnapshot struct {
	loadedAt  time.Time
	signers   map[string]*signingKey // alg -> newest unretired key
	published []op.Key
	byID      map[string]*publicKey // every parsed signature key, for verification
	sealers   map[string]*sealKey   // key id -> AES key
	sealer    *sealKey              // the one new tokens are sealed with
}

// keyRing holds parsed keys in memory. Keys are parsed once when first
// seen; the store is reread every keyRefresh or when an unknown key id
// turns up, so key changes by other nodes reach this one.
type keyRing struct {
	store domain.Store
	clock domain.Clock
	log   *slog.Logger

	snap      atomic.Pointer[keySnapshot]
	mu        sync.Mutex // serialises reloads and key creation
	parsed    map[string]any
	lastForce time.Time
}

func newKeyRing(store domain.Store, clock domain.Clock, log *slog.Logger) *keyRing {
	return &keyRing{store: store, clock: clock, log: log, parsed: map[string]any{}}
}

// ensure loads the keys and creates what the store lacks: a signing key
// of alg, one of the other algorithm (so a client may ask for it and
// relying parties see both in discovery from the start), and a sealing
// key.
func (kr *keyRing) ensure(ctx context.Context, alg string) error {
	if err := kr.reload(ctx); err != nil {
		return err
	}
	for _, a := range []string{alg, AlgRS256, AlgES256} {
		if _, err := kr.signer(ctx, a); err != nil {
			return err
		}
	}
	if kr.snap.Load().sealer == nil {
		kr.mu.Lock()
		defer kr.mu.Unlock()
		if err := kr.reloadLocked(ctx); err != nil {
			return err
		}
		if kr.snap.Load().sealer != nil {
			return nil
		}
		k, err := newSealKeyRow(kr.clock.Now())
		if err != nil {
			return err
		}
		if err := kr.store.CreateSigningKey(ctx, k); err != nil {
			return fmt.Errorf("oidc: store sealing key: %w", err)
		}
		return kr.reloadLocked(ctx)
	}
	return nil
}

// current returns the snapshot, rereading the store first when it is
// older than keyRefresh. A failed reread keeps the old keys.
func (kr *keyRing) current(ctx context.Context) *keySnapshot {
	s := kr.snap.Load()
	if s != nil && kr.clock.Now().Sub(s.loadedAt) < keyRefresh {
		return s
	}
	if kr.mu.TryLock() {
		if err := kr.reloadLocked(ctx); err != nil {
			kr.log.ErrorContext(ctx, "oidc: reload keys", slog.Any("error", err))
		}
		kr.mu.Unlock()
	}
	if s2 := kr.snap.Load(); s2 != nil {
		return s2
	}
	return s
}

// forceReload rereads the store because a key id was not found, at most
// once per forcedReloadGap.
func (kr *keyRing) forceReload(ctx context.Context) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	// Wall time, not the injected clock: this limits load, it is no rule.
	now := time.Now()
	if now.Sub(kr.lastForce) < forcedReloadGap {
		return
	}
	kr.lastForce = now
	if err := kr.reloadLocked(ctx); err != nil {
		kr.log.ErrorContext(ctx, "oidc: reload keys", slog.Any("error", err))
	}
}

func (kr *keyRing) reload(ctx context.Context) error {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	return kr.reloadLocked(ctx)
}

func (kr *keyRing) reloadLocked(ctx context.Context) error {
	rows, err := kr.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("oidc: list keys: %w", err)
	}
	now := kr.clock.Now()
	s := &keySnapshot{
		loadedAt: now,
		signers:  map[string]*signingKey{},
		byID:     map[string]*publicKey{},
		sealers:  map[string]*sealKey{},
	}
	var oldestSeal *domain.SigningKey
	for _, row := range rows { // newest first
		parsed, ok := kr.parsed[row.ID]
		if !ok {
			parsed, err = parseKeyRow(row)
			if err != nil {
				kr.log.ErrorContext(ctx, "oidc: unusable key skipped", slog.String("kid", row.ID), slog.Any("error", err))
				continue
			}
			kr.parsed[row.ID] = parsed
		}
		switch k := parsed.(type) {
		case *sealKey:
			s.sealers[row.ID] = k
			if row.RetiredAt == nil && (oldestSeal == nil || !row.CreatedAt.After(oldestSeal.CreatedAt)) {
				oldestSeal = row
			}
		case *signingKey:
			pub := &publicKey{id: k.id, alg: k.alg, key: k.private.Public()}
			s.byID[row.ID] = pub
			if row.RetiredAt == nil {
				if _, seen := s.signers[row.Alg]; !seen {
					s.signers[row.Alg] = k
				}
			}
			if row.RetiredAt == nil || now.Sub(*row.RetiredAt) < retiredGrace {
				s.published = append(s.published, pub)
			}
		}
	}
	// Every node seals with the oldest unretired key, so nodes that
	// raced to create one still agree; all known keys open tokens.
	if oldestSeal != nil {
		s.sealer = s.sealers[oldestSeal.ID]
	}
	kr.snap.Store(s)
	return nil
}

// signer returns the key new tokens of alg are signed with, creating
// and storing one when the store has none.
func (kr *keyRing) signer(ctx context.Context, alg string) (*signingKey, error) {
	if k := kr.current(ctx).signers[alg]; k != nil {
		return k, nil
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if err := kr.reloadLocked(ctx); err != nil {
		return nil, err
	}
	if k := kr.snap.Load().signers[alg]; k != nil {
		return k, nil
	}
	row, err := newSigningKeyRow(alg, kr.clock.Now())
	if err != nil {
		return nil, err
	}
	if err := kr.store.CreateSigningKey(ctx, row); err != nil {
		return nil, fmt.Errorf("oidc: store signing key: %w", err)
	}
	kr.log.InfoContext(ctx, "oidc: signing key created", slog.String("kid", row.ID), slog.String("alg", alg))
	if err := kr.reloadLocked(ctx); err != nil {
		return nil, err
	}
	if k := kr.snap.Load().signers[alg]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("oidc: no %s signing key after creating one", alg)
}

// rotate creates a new key of alg and retires the older ones; they stay
// published for retiredGrace.
func (kr *keyRing) rotate(ctx context.Context, alg string) (string, error) {
	if alg != AlgRS256 && alg != AlgES256 {
		return "", fmt.Errorf("oidc: cannot rotate %q keys", alg)
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	rows, err := kr.store.ListSigningKeys(ctx)
	if err != nil {
		return "", fmt.Errorf("oidc: list keys: %w", err)
	}
	now := kr.clock.Now()
	row, err := newSigningKeyRow(alg, now)
	if err != nil {
		return "", err
	}
	err = kr.store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.CreateSigningKey(ctx, row); err != nil {
			return err
		}
		for _, old := range rows {
			if old.Alg == alg && old.RetiredAt == nil {
				if err := tx.RetireSigningKey(ctx, old.ID, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("oidc: rotate %s key: %w", alg, err)
	}
	return row.ID, kr.reloadLocked(ctx)
}

// keySetVerifier implements oidc.KeySet over the published keys for the
// library's ID token hint checks. An unknown key id rereads the store
// once, so a token signed by another node's brand-new key verifies.
type keySetVerifier struct {
	keys *keyRing
}

func (v keySetVerifier) VerifySignature(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	kid, alg := oidc.GetKeyIDAndAlg(jws)
	find := func() (jose.JSONWebKey, error) {
		pub := v.keys.current(ctx).published
		set := make([]jose.JSONWebKey, 0, len(pub))
		for _, k := range pub {
			set = append(set, jose.JSONWebKey{Key: k.Key(), KeyID: k.ID(), Algorithm: string(k.Algorithm()), Use: k.Use()})
		}
		return oidc.FindMatchingKey(kid, oidc.KeyUseSignature, alg, set...)
	}
	key, err := find()
	if err != nil {
		v.keys.forceReload(ctx)
		if key, err = find(); err != nil {
			return nil, fmt.Errorf("invalid signature: %w", err)
		}
	}
	return jws.Verify(&key)
}
