// Package passwords hashes and checks people's passwords with argon2id
// (golang.org/x/crypto/argon2), stored as PHC strings
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash) so that parameters can be
// raised later without invalidating stored hashes.
package passwords

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The parameters of new hashes: RFC 9106's second recommended option
// (64 MiB, 3 passes) with one lane.
const (
	memoryKiB = 64 * 1024
	passes    = 3
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

var b64 = base64.RawStdEncoding

// Hash returns the PHC string of pw with a fresh random salt.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("not an argon2id password hash")

// Check reports whether pw matches the PHC string stored, in constant
// time, with the parameters the hash records.
func Check(pw, stored string) (bool, error) {
	parts := strings.Split(stored, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 20 {
		return false, ErrMalformed
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false, ErrMalformed
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is a hash checked when no person has the e-mail, so that a
// sign-in takes as long whether or not the address is known.
var dummy, _ = Hash("dealflow-no-such-person")

// CheckNobody spends the time of one Check, for an unknown e-mail.
func CheckNobody(pw string) { _, _ = Check(pw, dummy) }
