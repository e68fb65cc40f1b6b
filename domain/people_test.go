package domain

import "testing"

// TestNormalizeEmail proves one person's address in any case or padding is
// one form, and that anything but a bare address is refused.
func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"dana@vendor.example":         "dana@vendor.example",
		"  Dana@Vendor.EXAMPLE ":      "dana@vendor.example",
		"dana+finance@vendor.example": "dana+finance@vendor.example",
	} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "dana", "@vendor.example", "dana@", "Dana <dana@vendor.example>", "a@b.example, c@d.example",
		"dana@vendor.example\x00"} {
		if got, err := NormalizeEmail(in); err == nil {
			t.Errorf("NormalizeEmail(%q) = %q, want an error", in, got)
		}
	}
}

// TestSamePerson proves four eyes compares people, and falls back to the
// user for actors recorded before people existed.
func TestSamePerson(t *testing.T) {
	asManager := Actor{ID: "u1", PersonID: "p1", Role: RoleChannelManager}
	asAdmin := Actor{ID: "u2", PersonID: "p1", Role: RoleAdmin}
	other := Actor{ID: "u3", PersonID: "p2"}
	before := Actor{ID: "u1"}
	oldOther := Actor{ID: "u4"}
	for _, tc := range []struct {
		a, b Actor
		want bool
	}{
		{asManager, asAdmin, true}, {asManager, other, false}, {asManager, before, true},
		{before, oldOther, false}, {Actor{ID: "s1", Service: true}, Actor{ID: "s2", Service: true}, false},
	} {
		if got := tc.a.SamePerson(tc.b); got != tc.want {
			t.Errorf("%+v.SamePerson(%+v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
