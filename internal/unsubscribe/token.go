// Package unsubscribe signs and checks the tokens of the unsubscribe links
// in notification e-mails: a token names one person and is signed with
// DEALFLOW_NOTIFY_SECRET (HMAC-SHA256), so the link needs no sign-in and
// cannot be forged for someone else.
package unsubscribe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// ErrInvalid is any token that is malformed or not signed with the secret.
var ErrInvalid = errors.New("invalid unsubscribe token")

// Token returns the token for person, signed with secret.
func Token(secret string, person uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString(person[:]) + "." + base64.RawURLEncoding.EncodeToString(sign(secret, person))
}

// Person checks token against secret and returns the person it names.
func Person(secret, token string) (uuid.UUID, error) {
	if secret == "" {
		return uuid.Nil, ErrInvalid
	}
	id, sig, ok := strings.Cut(token, ".")
	if !ok {
		return uuid.Nil, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(raw) != 16 {
		return uuid.Nil, ErrInvalid
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return uuid.Nil, ErrInvalid
	}
	person := uuid.UUID(raw)
	if !hmac.Equal(mac, sign(secret, person)) {
		return uuid.Nil, ErrInvalid
	}
	return person, nil
}

func sign(secret string, person uuid.UUID) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("dealflow-unsubscribe:"))
	m.Write(person[:])
	return m.Sum(nil)
}
