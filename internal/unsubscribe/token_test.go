package unsubscribe

import (
	"testing"

	"github.com/google/uuid"
)

func TestTokenNamesItsPersonAndRefusesForgeries(t *testing.T) {
	p := uuid.New()
	tok := Token("0123456789abcdef", p)
	if got, err := Person("0123456789abcdef", tok); err != nil || got != p {
		t.Fatalf("Person = %v, %v", got, err)
	}
	other := Token("0123456789abcdef", uuid.New())
	forged := tok[:22] + other[22:]
	for name, bad := range map[string]string{"other secret": Token("fedcba9876543210", p), "forged": forged,
		"empty": "", "no dot": "abc", "junk": "!!.!!"} {
		if _, err := Person("0123456789abcdef", bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Person("", tok); err == nil {
		t.Error("no secret: accepted")
	}
}
