package domain

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordProblem(t *testing.T) {
	for _, tc := range []struct {
		pw, email string
		want      string // a word of the problem; empty: accepted
	}{
		{"short", "a@example.com", "at least 12"},
		{"elevenchars", "a@example.com", "at least 12"},
		{"Password1234", "a@example.com", "most common"},
		{"  qwerty123456 ", "a@example.com", "most common"},
		{"jane.partner", "jane.partner@example.com", "e-mail"},
		{"Jane.Partner@example.com", "jane.partner@example.com", "e-mail"},
		{strings.Repeat("x", 257), "a@example.com", "at most 256"},
		{"tangerine-lamp-orbit", "a@example.com", ""},
		{"twelve chars", "a@example.com", ""},
	} {
		got := PasswordProblem(tc.pw, tc.email)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("PasswordProblem(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
	if len(commonPasswords) < 50 {
		t.Fatalf("only %d common passwords embedded", len(commonPasswords))
	}
}

func TestInvitationProblem(t *testing.T) {
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	exp := created.Add(InvitationTTL)
	if p := InvitationProblem(exp, time.Time{}, created.Add(time.Hour)); p != "" {
		t.Fatalf("a fresh invitation: %q", p)
	}
	if p := InvitationProblem(exp, time.Time{}, exp); !strings.Contains(p, "expired") {
		t.Fatalf("at expiry: %q", p)
	}
	if p := InvitationProblem(exp, created.Add(time.Minute), created.Add(time.Hour)); !strings.Contains(p, "already been used") {
		t.Fatalf("used: %q", p)
	}
	if MayGrant(RolePartnerAdmin, RoleAdmin) || MayGrant(RolePartnerAdmin, RoleFinance) || !MayGrant(RolePartnerAdmin, RolePartnerUser) {
		t.Fatal("a partner admin grants only partner roles")
	}
	if MayGrant(RolePartnerUser, RolePartnerUser) {
		t.Fatal("a partner user invites no one")
	}
}
