package domain

import (
	"testing"
	"time"
)

// Invitations expire after 5 business days unless a time is given: from a
// Friday (month end) to the next Friday, from a Saturday to the Friday after.
func TestInvitationExpiry(t *testing.T) {
	fri := time.Date(2026, 1, 30, 17, 0, 0, 0, time.UTC)
	for from, want := range map[time.Time]time.Time{
		fri:                  time.Date(2026, 2, 6, 17, 0, 0, 0, time.UTC),
		fri.AddDate(0, 0, 1): time.Date(2026, 2, 6, 17, 0, 0, 0, time.UTC),
	} {
		if got := InvitationExpiry(from, time.Time{}); !got.Equal(want) {
			t.Errorf("from %s: %s, want %s", from, got, want)
		}
	}
	given := fri.Add(48 * time.Hour)
	if got := InvitationExpiry(fri, given); !got.Equal(given) {
		t.Errorf("given %s: %s", given, got)
	}
	if !ShareFirstToAccept.Valid() || !ShareSellerChooses.Valid() || ShareMode("lottery").Valid() {
		t.Error("modes")
	}
}
