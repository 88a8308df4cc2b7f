package signin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// stateBytes is the randomness of a state value and of a browser binding.
const stateBytes = 32

// stateLen is the length of a state value: stateBytes in unpadded base64url.
var stateLen = base64.RawURLEncoding.EncodedLen(stateBytes)

// newState returns a fresh random value for the state parameter or the
// browser cookie.
func newState() string {
	b := make([]byte, stateBytes)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// validState reports whether s has the shape newState gives: checked before
// any database lookup.
func validState(s string) bool {
	if len(s) != stateLen {
		return false
	}
	b, err := base64Strict.DecodeString(s)
	return err == nil && len(b) == stateBytes
}

// hashState is what is stored of a state or browser value.
func hashState(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// base64Strict refuses non-canonical encodings: one state has one spelling.
var base64Strict = base64.RawURLEncoding.Strict()
