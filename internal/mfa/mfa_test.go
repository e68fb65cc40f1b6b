package mfa

import (
	"bytes"
	"testing"
	"time"
)

// A fixed instant in the middle of a step, so that ±1 step is exact.
var at = time.Date(2026, 3, 14, 15, 9, 15, 0, time.UTC)

func TestMatchAcceptsOneStepOfSkewAndNoMore(t *testing.T) {
	e, err := NewEnrolment("ivy@partner.example")
	if err != nil {
		t.Fatal(err)
	}
	cur := Step(at)
	for d, want := range map[int64]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		code, err := Code(e.Secret, cur+d)
		if err != nil {
			t.Fatal(err)
		}
		step, ok := Match(e.Secret, code, at, 0)
		if ok != want || (ok && step != cur+d) {
			t.Errorf("code of step %+d: match %v at step %d, want %v", d, ok, step-cur, want)
		}
	}
	if _, ok := Match(e.Secret, "12345", at, 0); ok {
		t.Error("a five-digit code matched")
	}
}

func TestMatchRefusesReplayAndOlderCodes(t *testing.T) {
	e, _ := NewEnrolment("fin@vendor.example")
	cur := Step(at)
	code, _ := Code(e.Secret, cur)
	step, ok := Match(e.Secret, code, at, 0)
	if !ok {
		t.Fatal("the current code was refused")
	}
	// The same code again, 10 s later (same step, still within its window).
	if _, ok := Match(e.Secret, code, at.Add(10*time.Second), step); ok {
		t.Error("a used code was accepted again")
	}
	// The previous step's code after the current one was used.
	prev, _ := Code(e.Secret, cur-1)
	if _, ok := Match(e.Secret, prev, at, step); ok {
		t.Error("an older code was accepted after a newer one")
	}
	next, _ := Code(e.Secret, cur+1)
	if s, ok := Match(e.Secret, next, at.Add(30*time.Second), step); !ok || s != cur+1 {
		t.Errorf("the next step's code: %d %v", s-cur, ok)
	}
}

func TestSealerBindsSecretToKeyAndOwner(t *testing.T) {
	s, err := NewSealer("a-test-key-of-enough-length")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("JBSWY3DPEHPK3PXP", []byte("person-1"))
	if err != nil || bytes.Contains(sealed, []byte("JBSWY3DPEHPK3PXP")) {
		t.Fatalf("sealed %q %v", sealed, err)
	}
	if got, err := s.Open(sealed, []byte("person-1")); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open %q %v", got, err)
	}
	if _, err := s.Open(sealed, []byte("person-2")); err == nil {
		t.Error("a secret opened for another person")
	}
	other, _ := NewSealer("another-key-of-enough-length")
	if _, err := other.Open(sealed, []byte("person-1")); err == nil {
		t.Error("a secret opened under another key")
	}
	if _, err := NewSealer("short"); err == nil {
		t.Error("a short key was accepted")
	}
	var none Sealer
	if _, err := none.Seal("x", nil); err != ErrNoKey {
		t.Errorf("no key: %v", err)
	}
}

func TestRecoveryCodesHashAsTyped(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(RecoveryCodeCount)
	if err != nil || len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("%v %v", codes, err)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if seen[c] || len(c) != 11 || !LooksLikeRecoveryCode(c) {
			t.Errorf("code %q", c)
		}
		seen[c] = true
		typed := " " + c[:5] + c[6:] + " "
		if !bytes.Equal(RecoveryHash(typed), hashes[i]) || !bytes.Equal(RecoveryHash(c), hashes[i]) {
			t.Errorf("code %q typed as %q hashes differently", c, typed)
		}
	}
	if LooksLikeRecoveryCode("123456") {
		t.Error("a TOTP code looks like a recovery code")
	}
}
