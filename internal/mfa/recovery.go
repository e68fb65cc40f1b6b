package mfa

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// RecoveryCodeCount is how many recovery codes a confirmed enrolment
// gives; each works once instead of a TOTP code.
const RecoveryCodeCount = 10

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewRecoveryCodes returns n fresh codes such as "ABCDE-FGHJK" (50 random
// bits each), to show once, and their hashes, to store.
func NewRecoveryCodes(n int) (codes []string, hashes [][]byte, err error) {
	for range n {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, err
		}
		s := recoveryEncoding.EncodeToString(b)[:10]
		codes = append(codes, s[:5]+"-"+s[5:])
		hashes = append(hashes, RecoveryHash(s))
	}
	return codes, hashes, nil
}

// RecoveryHash is the stored hash of a recovery code as typed: case,
// spaces and dashes do not matter.
func RecoveryHash(code string) []byte {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	h := sha256.Sum256([]byte("dealflow-recovery:" + c))
	return h[:]
}

// LooksLikeRecoveryCode tells a recovery code from a TOTP code (six
// digits) in one input field.
func LooksLikeRecoveryCode(s string) bool {
	return len(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s))) == 10
}
