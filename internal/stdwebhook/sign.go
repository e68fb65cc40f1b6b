// Package stdwebhook signs and verifies webhooks as the Standard Webhooks
// specification says (github.com/standard-webhooks/standard-webhooks,
// spec/standard-webhooks.md): the headers webhook-id, webhook-timestamp
// and webhook-signature, the latter "v1,<base64 HMAC-SHA256 of
// {id}.{timestamp}.{body}>" under a secret written whsec_<base64>, several
// signatures separated by spaces (during a secret rotation's overlap).
// The webhook delivery activities sign with it, the API's test event
// sends with it, and tests verify with it.
package stdwebhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret.
const SecretPrefix = "whsec_"

// Tolerance is how far a webhook's timestamp may be from the verifier's
// clock (the specification's recommended five minutes).
const Tolerance = 5 * time.Minute

// ErrSecret says a secret is not whsec_<base64> of at least 24 bytes.
var ErrSecret = errors.New("a webhook secret is whsec_ and the base64 of 24 to 64 bytes")

// NewSecret returns a fresh random secret (24 bytes, as the
// specification recommends at least).
func NewSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// key decodes a secret's key (the whsec_ prefix may be omitted, as the
// specification's libraries accept).
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(k) < 24 || len(k) > 64 {
		return nil, ErrSecret
	}
	return k, nil
}

// Sign returns the one signature "v1,<base64>" of body sent as webhook id
// at ts under secret.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k)
	fmt.Fprintf(m, "%s.%d.", id, ts.Unix())
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Headers returns the three headers of a webhook: one signature per
// secret, space-separated (the new secret first during a rotation's
// overlap).
func Headers(id string, ts time.Time, body []byte, secrets ...string) (http.Header, error) {
	if len(secrets) == 0 {
		return nil, ErrSecret
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, id, ts, body)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h, nil
}

// Verify checks a received webhook as a receiver should: the timestamp
// within Tolerance of now, and one of the signatures (of any version
// prefix, only v1 counted) made with secret, compared in constant time.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	sec, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errors.New("webhook-timestamp is not a number of seconds")
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > Tolerance || d < -Tolerance {
		return errors.New("webhook-timestamp too far from now")
	}
	want, err := Sign(secret, id, ts, body)
	if err != nil {
		return err
	}
	for _, sig := range strings.Fields(sigs) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no signature matches")
}
