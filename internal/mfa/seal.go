package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// ErrNoKey is TOTP asked for while DEALFLOW_TOTP_KEY is unset.
var ErrNoKey = errors.New("TOTP is not configured on this server (DEALFLOW_TOTP_KEY)")

// MinKeyLength is the shortest DEALFLOW_TOTP_KEY accepted.
const MinKeyLength = 16

// Sealer encrypts TOTP secrets at rest with AES-256-GCM under a key
// derived (SHA-256) from the DEALFLOW_TOTP_KEY setting, binding each to
// its person's id so that a sealed secret copied to another person does
// not open. The zero Sealer (no key) seals and opens nothing: ErrNoKey.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns the sealer of a key setting ("" : the zero Sealer).
func NewSealer(setting string) (Sealer, error) {
	if setting == "" {
		return Sealer{}, nil
	}
	if len(setting) < MinKeyLength {
		return Sealer{}, errors.New("DEALFLOW_TOTP_KEY must have at least 16 characters")
	}
	key := sha256.Sum256([]byte("dealflow-totp:" + setting))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return Sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Sealer{}, err
	}
	return Sealer{aead: aead}, nil
}

// Enabled reports whether a key is set.
func (s Sealer) Enabled() bool { return s.aead != nil }

// Seal encrypts secret for the person with id owner: nonce || ciphertext.
func (s Sealer) Seal(secret string, owner []byte) ([]byte, error) {
	if s.aead == nil {
		return nil, ErrNoKey
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, []byte(secret), owner), nil
}

// Open decrypts what Seal returned for the same owner.
func (s Sealer) Open(sealed, owner []byte) (string, error) {
	if s.aead == nil {
		return "", ErrNoKey
	}
	n := s.aead.NonceSize()
	if len(sealed) <= n {
		return "", errors.New("sealed TOTP secret too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], owner)
	if err != nil {
		return "", errors.New("the TOTP secret does not open with this DEALFLOW_TOTP_KEY")
	}
	return string(plain), nil
}
