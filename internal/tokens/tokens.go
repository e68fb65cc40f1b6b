// Package tokens mints dealflow's bearer tokens and hashes them for
// storage: the API checks a token by its hash, `dealflow token create`
// mints one, and neither stores the token itself.
package tokens

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// prefix marks dealflow tokens so secret scanners can recognise them.
const prefix = "dft_"

// New returns a fresh bearer token and the hash to store for it. The
// token itself is never stored.
func New() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token), nil
}

// Hash returns the SHA-256 hash under which a token is stored.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
