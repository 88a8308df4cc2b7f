// Package secret seals the third-party credentials orgql stores (registry
// passwords and keys, git tokens, helm repository credentials) with
// AES-256-GCM before they reach the database, and opens them when orgql
// itself needs them (to check a credential). Nothing else ever sees them.
//
// A sealed value is an envelope "v1.<key id>.<base64url(nonce ‖ ciphertext)>":
// it names the key it was sealed with, so keys rotate (the first key of the
// keyring seals, every key opens), and it is bound, as additional
// authenticated data, to the organization, table, row and field it belongs
// to, so a value copied anywhere else fails to open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Binding is what a sealed value belongs to.
type Binding struct {
	Organization, Table, Row, Field string
}

func (b Binding) additionalData() []byte {
	out := []byte("orgql/secret/v1")
	for _, part := range []string{b.Organization, b.Table, b.Row, b.Field} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(part)))
		out = append(out, part...)
	}
	return out
}

// Keyring holds the keys secrets are sealed and opened with.
type Keyring struct {
	keys []key
}

type key struct {
	id   string
	aead cipher.AEAD
}

// ErrNotOpened is returned for an envelope that cannot be opened: under an
// unknown key, malformed, tampered with, or bound to something else.
var ErrNotOpened = errors.New("the sealed value cannot be opened")

const version = "v1"

var keyID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Parse reads a keyring from "id:base64key,id:base64key" (each key 32
// random bytes, base64 in the standard or URL alphabet, padded or not).
// The first key seals; every key opens.
func Parse(spec string) (*Keyring, error) {
	k := &Keyring{}
	seen := map[string]bool{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, encoded, ok := strings.Cut(item, ":")
		if !ok || !keyID.MatchString(id) {
			return nil, fmt.Errorf("secret keys: each key is id:base64 (id of lower-case letters, digits and dashes), got %q", redactKey(item))
		}
		if seen[id] {
			return nil, fmt.Errorf("secret keys: key id %q appears twice", id)
		}
		seen[id] = true
		raw, err := decodeKey(encoded)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("secret keys: key %q must be 32 bytes, base64-encoded", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("secret keys: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret keys: key %q: %w", id, err)
		}
		k.keys = append(k.keys, key{id: id, aead: aead})
	}
	if len(k.keys) == 0 {
		return nil, errors.New("secret keys: none given")
	}
	return k, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// redactKey keeps a key's id and hides its material, for error messages.
func redactKey(item string) string {
	id, _, _ := strings.Cut(item, ":")
	return id + ":…"
}

// NewKey returns a fresh keyring entry "id:base64key".
func NewKey(id string) (string, error) {
	if !keyID.MatchString(id) {
		return "", fmt.Errorf("key id %q: use lower-case letters, digits and dashes", id)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return id + ":" + base64.StdEncoding.EncodeToString(raw), nil
}

// Current is the id of the key that seals.
func (k *Keyring) Current() string { return k.keys[0].id }

// Seal seals plaintext for binding b under the current key.
func (k *Keyring) Seal(plaintext string, b Binding) (string, error) {
	cur := k.keys[0]
	nonce := make([]byte, cur.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	sealed := cur.aead.Seal(nonce, nonce, []byte(plaintext), b.additionalData())
	return version + "." + cur.id + "." + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open opens an envelope Seal made for the same binding.
func (k *Keyring) Open(envelope string, b Binding) (string, error) {
	id, sealed, err := parse(envelope)
	if err != nil {
		return "", err
	}
	for _, key := range k.keys {
		if key.id != id {
			continue
		}
		n := key.aead.NonceSize()
		if len(sealed) < n {
			return "", ErrNotOpened
		}
		plain, err := key.aead.Open(nil, sealed[:n], sealed[n:], b.additionalData())
		if err != nil {
			return "", ErrNotOpened
		}
		return string(plain), nil
	}
	return "", fmt.Errorf("%w: sealed under key %q, which the keyring does not hold", ErrNotOpened, id)
}

// KeyID returns the id of the key envelope was sealed with.
func KeyID(envelope string) (string, error) {
	id, _, err := parse(envelope)
	return id, err
}

func parse(envelope string) (string, []byte, error) {
	parts := strings.SplitN(envelope, ".", 3)
	if len(parts) != 3 || parts[0] != version || !keyID.MatchString(parts[1]) {
		return "", nil, ErrNotOpened
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return "", nil, ErrNotOpened
	}
	return parts[1], sealed, nil
}
