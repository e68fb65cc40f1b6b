package domain

import (
	"strings"
	"testing"
	"time"
)

func TestLinkProblemSingleUseAndExpiry(t *testing.T) {
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	expires := now.Add(ResetLinkTTL)
	if p := LinkProblem(LinkReset, expires, time.Time{}, now); p != "" {
		t.Errorf("a fresh link: %q", p)
	}
	if p := LinkProblem(LinkReset, expires, now, now.Add(time.Minute)); !strings.Contains(p, "already been used") {
		t.Errorf("a used link: %q", p)
	}
	if p := LinkProblem(LinkSignIn, expires, time.Time{}, expires); !strings.Contains(p, "expired") || !strings.Contains(p, "sign-in link") {
		t.Errorf("an expired link: %q", p)
	}
	if LinkReset.TTL() != 30*time.Minute || LinkSignIn.TTL() != 15*time.Minute {
		t.Error("link lifetimes")
	}
}
