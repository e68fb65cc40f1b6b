// Package mfa is the optional second factor of people's sign-in: TOTP
// codes (RFC 6238, github.com/pquerna/otp: SHA-1, 6 digits, 30-second
// steps) checked with one step of skew either way and refused when their
// step was used before, secrets sealed with AES-256-GCM, and single-use
// recovery codes stored as hashes. It does no I/O: the caller keeps the
// last accepted step and the hashes in PostgreSQL and tells the time.
package mfa

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Period is a TOTP code's step; Skew is how many steps before and after
// the current one are accepted too (clocks of phones drift).
const (
	Period = 30
	Skew   = 1
	// Issuer names dealflow in authenticator apps.
	Issuer = "dealflow"
)

var opts = totp.ValidateOpts{Period: Period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a new secret to show once: as text (base32) for typing
// into an authenticator app, and as an otpauth:// URI (for a QR code).
type Enrolment struct {
	Secret string
	URI    string
}

// NewEnrolment makes a fresh 160-bit secret for account (the person's
// e-mail address).
func NewEnrolment(account string) (Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: account, Period: Period,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL()}, nil
}

// Step is the TOTP time step t falls in.
func Step(t time.Time) int64 { return t.Unix() / Period }

// Code is the code of secret for step (for tests and for showing what an
// app would show).
func Code(secret string, step int64) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(step*Period, 0).UTC(), opts)
}

// Match finds the step, within Skew of now's, whose code is code, and
// reports it only when it is later than lastStep (the step of the last
// code accepted; 0: none): a code is never accepted twice, nor an older
// one after a newer. The caller records the step it returns atomically
// (a conditional update), so two concurrent uses of one code cannot both
// win.
func Match(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	cur := Step(now)
	var found int64
	ok := false
	for d := int64(-Skew); d <= Skew; d++ {
		want, err := Code(secret, cur+d)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			found, ok = cur+d, true
		}
	}
	if !ok || found <= lastStep {
		return 0, false
	}
	return found, true
}
