package passwords

import (
	"strings"
	"testing"
)

func TestHashAndCheck(t *testing.T) {
	h, err := Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC with the stated parameters", h)
	}
	if ok, err := Check("correct horse battery", h); !ok || err != nil {
		t.Fatalf("the right password: %v %v", ok, err)
	}
	if ok, _ := Check("correct horse batterY", h); ok {
		t.Fatal("a wrong password matched")
	}
	h2, _ := Hash("correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "plain"} {
		if ok, err := Check("x", bad); ok || err == nil {
			t.Errorf("Check(%q) = %v, %v; want malformed", bad, ok, err)
		}
	}
}
