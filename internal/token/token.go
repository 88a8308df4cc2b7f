// Package token makes and checks orgql's secret tokens: a kind prefix
// (oqs_ session, oqt_ API token, oqi_ invitation), 30 random base62
// characters (178 bits) and a 6-character CRC32 checksum, so a mistyped or
// forged token is refused without a database query and secret scanners can
// recognise leaked ones. Only the SHA-256 of a token is stored.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"math/big"
	"strings"
)

// Kind prefixes.
const (
	Session    = "oqs_"
	APIToken   = "oqt_"
	Invitation = "oqi_"
)

const (
	alphabet    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	randomLen   = 30
	checksumLen = 6
)

// ErrMalformed is returned for a token of the wrong kind, shape or checksum.
var ErrMalformed = errors.New("malformed token")

// New returns a fresh token of the given kind.
func New(kind string) string {
	var b strings.Builder
	b.WriteString(kind)
	max := big.NewInt(int64(len(alphabet)))
	for range randomLen {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("token: crypto/rand failed: " + err.Error())
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	body := b.String()[len(kind):]
	b.WriteString(checksum(body))
	return b.String()
}

func checksum(body string) string {
	n := crc32.ChecksumIEEE([]byte(body))
	out := make([]byte, checksumLen)
	for i := checksumLen - 1; i >= 0; i-- {
		out[i] = alphabet[n%uint32(len(alphabet))]
		n /= uint32(len(alphabet))
	}
	return string(out)
}

// Check verifies a token's kind, shape and checksum, without any lookup.
func Check(kind, tok string) error {
	body, ok := strings.CutPrefix(tok, kind)
	if !ok || len(body) != randomLen+checksumLen {
		return ErrMalformed
	}
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(alphabet, body[i]) < 0 {
			return ErrMalformed
		}
	}
	if checksum(body[:randomLen]) != body[randomLen:] {
		return ErrMalformed
	}
	return nil
}

// Hash is what is stored of a token: its hex SHA-256.
func Hash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}
