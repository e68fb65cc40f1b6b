package domain

import (
	"errors"
	"strings"
	"testing"
)

// lifecycle is the deal lifecycle written out independently of status.go:
//
//	submitted → screening → (conflict_review) → pending_approval ⇄ info_requested
//	pending_approval → approved → closed_won | closed_lost | expired
//	rejected from submitted, screening, conflict_review, pending_approval, info_requested
//	withdrawn from any non-final status
//
// submitted → pending_approval is listed because the deal workflow moves a
// new registration straight to review (screening is skippable, as
// conflict_review is); screening → approved is an automatic approval by a
// program rule.
var lifecycle = map[Status][]Status{
	StatusSubmitted:       {StatusScreening, StatusPendingApproval, StatusRejected, StatusWithdrawn},
	StatusScreening:       {StatusConflictReview, StatusPendingApproval, StatusApproved, StatusRejected, StatusWithdrawn},
	StatusConflictReview:  {StatusPendingApproval, StatusRejected, StatusWithdrawn},
	StatusPendingApproval: {StatusInfoRequested, StatusApproved, StatusRejected, StatusWithdrawn},
	StatusInfoRequested:   {StatusPendingApproval, StatusRejected, StatusWithdrawn},
	StatusApproved:        {StatusClosedWon, StatusClosedLost, StatusExpired, StatusWithdrawn},
}

// finalStatuses are the statuses no transition leaves.
var finalStatuses = map[Status]bool{
	StatusRejected:   true,
	StatusWithdrawn:  true,
	StatusClosedWon:  true,
	StatusClosedLost: true,
	StatusExpired:    true,
}

func lifecycleAllows(from, to Status) bool {
	for _, s := range lifecycle[from] {
		if s == to {
			return true
		}
	}
	return false
}

// TestAllStatusesComplete proves AllStatuses holds each of the eleven status constants exactly once.
func TestAllStatusesComplete(t *testing.T) {
	want := []Status{
		StatusSubmitted, StatusScreening, StatusConflictReview, StatusPendingApproval,
		StatusInfoRequested, StatusApproved, StatusRejected, StatusWithdrawn,
		StatusClosedWon, StatusClosedLost, StatusExpired,
	}
	if len(AllStatuses) != len(want) {
		t.Fatalf("len(AllStatuses) = %d, want %d", len(AllStatuses), len(want))
	}
	seen := map[Status]bool{}
	for _, s := range AllStatuses {
		if seen[s] {
			t.Errorf("AllStatuses lists %q twice", s)
		}
		seen[s] = true
	}
	for _, s := range want {
		if !seen[s] {
			t.Errorf("AllStatuses does not list %q", s)
		}
	}
}

// TestLifecycleTableUsesKnownStatuses proves the test's own lifecycle table names only real statuses.
func TestLifecycleTableUsesKnownStatuses(t *testing.T) {
	for from, tos := range lifecycle {
		if !from.Valid() {
			t.Errorf("lifecycle key %q is not a valid status", from)
		}
		for _, to := range tos {
			if !to.Valid() {
				t.Errorf("lifecycle target %q (from %q) is not a valid status", to, from)
			}
		}
	}
	for s := range finalStatuses {
		if _, ok := lifecycle[s]; ok {
			t.Errorf("final status %q has outgoing moves in the lifecycle table", s)
		}
	}
}

// TestStatusValid proves Valid accepts exactly the listed statuses, case- and space-sensitively.
func TestStatusValid(t *testing.T) {
	tests := []struct {
		s    Status
		want bool
	}{
		{StatusSubmitted, true},
		{StatusScreening, true},
		{StatusConflictReview, true},
		{StatusPendingApproval, true},
		{StatusInfoRequested, true},
		{StatusApproved, true},
		{StatusRejected, true},
		{StatusWithdrawn, true},
		{StatusClosedWon, true},
		{StatusClosedLost, true},
		{StatusExpired, true},
		{"", false},
		{"Submitted", false},
		{"APPROVED", false},
		{" approved", false},
		{"approved ", false},
		{"pending-approval", false},
		{"closed", false},
		{"draft", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			if got := tt.s.Valid(); got != tt.want {
				t.Errorf("Status(%q).Valid() = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

// TestStatusFinal proves exactly rejected, withdrawn, closed_won, closed_lost and expired are final.
func TestStatusFinal(t *testing.T) {
	tests := []struct {
		s    Status
		want bool
	}{
		{StatusSubmitted, false},
		{StatusScreening, false},
		{StatusConflictReview, false},
		{StatusPendingApproval, false},
		{StatusInfoRequested, false},
		{StatusApproved, false},
		{StatusRejected, true},
		{StatusWithdrawn, true},
		{StatusClosedWon, true},
		{StatusClosedLost, true},
		{StatusExpired, true},
	}
	if len(tests) != len(AllStatuses) {
		t.Fatalf("table covers %d statuses, AllStatuses has %d", len(tests), len(AllStatuses))
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			if got := tt.s.Final(); got != tt.want {
				t.Errorf("Status(%q).Final() = %v, want %v", tt.s, got, tt.want)
			}
			if tt.want != finalStatuses[tt.s] {
				t.Errorf("table disagrees with finalStatuses for %q", tt.s)
			}
		})
	}
}

// TestCanMoveToMatrix proves CanMoveTo agrees with the lifecycle for every ordered pair of statuses.
func TestCanMoveToMatrix(t *testing.T) {
	for _, from := range AllStatuses {
		for _, to := range AllStatuses {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				want := lifecycleAllows(from, to)
				if got := from.CanMoveTo(to); got != want {
					t.Errorf("Status(%q).CanMoveTo(%q) = %v, want %v", from, to, got, want)
				}
			})
		}
	}
}

// TestCheckTransitionMatrix proves CheckTransition returns nil for allowed moves and a *TransitionError carrying From and To for every refused one.
func TestCheckTransitionMatrix(t *testing.T) {
	for _, from := range AllStatuses {
		for _, to := range AllStatuses {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				err := CheckTransition(from, to)
				if lifecycleAllows(from, to) {
					if err != nil {
						t.Fatalf("CheckTransition(%q, %q) = %v, want nil", from, to, err)
					}
					return
				}
				if err == nil {
					t.Fatalf("CheckTransition(%q, %q) = nil, want *TransitionError", from, to)
				}
				var te *TransitionError
				if !errors.As(err, &te) {
					t.Fatalf("CheckTransition(%q, %q) = %T (%v), want *TransitionError", from, to, err, err)
				}
				if te.From != from || te.To != to {
					t.Errorf("TransitionError{From: %q, To: %q}, want {From: %q, To: %q}", te.From, te.To, from, to)
				}
			})
		}
	}
}

// TestSelfTransitionsRefused proves no status may move to itself.
func TestSelfTransitionsRefused(t *testing.T) {
	for _, s := range AllStatuses {
		t.Run(string(s), func(t *testing.T) {
			if s.CanMoveTo(s) {
				t.Errorf("Status(%q).CanMoveTo itself = true, want false", s)
			}
			if err := CheckTransition(s, s); err == nil {
				t.Errorf("CheckTransition(%q, %q) = nil, want an error", s, s)
			}
		})
	}
}

// TestFinalStatusesHaveNoExits proves a final status refuses every move, and a non-final one allows at least one.
func TestFinalStatusesHaveNoExits(t *testing.T) {
	for _, from := range AllStatuses {
		t.Run(string(from), func(t *testing.T) {
			exits := 0
			for _, to := range AllStatuses {
				if from.CanMoveTo(to) {
					exits++
				}
			}
			if from.Final() && exits != 0 {
				t.Errorf("final status %q allows %d moves, want 0", from, exits)
			}
			if !from.Final() && exits == 0 {
				t.Errorf("non-final status %q allows no move", from)
			}
		})
	}
}

// TestWithdrawFromEveryNonFinalStatus proves a partner can withdraw from any status that is not final, and from no final one.
func TestWithdrawFromEveryNonFinalStatus(t *testing.T) {
	for _, from := range AllStatuses {
		t.Run(string(from), func(t *testing.T) {
			want := !finalStatuses[from]
			if got := from.CanMoveTo(StatusWithdrawn); got != want {
				t.Errorf("Status(%q).CanMoveTo(withdrawn) = %v, want %v", from, got, want)
			}
		})
	}
}

// TestRejectOnlyBeforeApproval proves rejection is possible from every pre-approval status and from nothing later.
func TestRejectOnlyBeforeApproval(t *testing.T) {
	tests := []struct {
		from Status
		want bool
	}{
		{StatusSubmitted, true},
		{StatusScreening, true},
		{StatusConflictReview, true},
		{StatusPendingApproval, true},
		{StatusInfoRequested, true},
		{StatusApproved, false},
		{StatusRejected, false},
		{StatusWithdrawn, false},
		{StatusClosedWon, false},
		{StatusClosedLost, false},
		{StatusExpired, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from), func(t *testing.T) {
			if got := tt.from.CanMoveTo(StatusRejected); got != tt.want {
				t.Errorf("Status(%q).CanMoveTo(rejected) = %v, want %v", tt.from, got, tt.want)
			}
		})
	}
}

// TestCheckTransitionUnknownStatuses proves moves from or to a status outside AllStatuses are refused with a *TransitionError.
func TestCheckTransitionUnknownStatuses(t *testing.T) {
	tests := []struct {
		name     string
		from, to Status
	}{
		{"unknown to known", "draft", StatusSubmitted},
		{"known to unknown", StatusSubmitted, "draft"},
		{"empty to known", "", StatusScreening},
		{"known to empty", StatusApproved, ""},
		{"wrong case target", StatusPendingApproval, "APPROVED"},
		{"both unknown", "x", "y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTransition(tt.from, tt.to)
			var te *TransitionError
			if !errors.As(err, &te) {
				t.Fatalf("CheckTransition(%q, %q) = %v, want *TransitionError", tt.from, tt.to, err)
			}
			if te.From != tt.from || te.To != tt.to {
				t.Errorf("TransitionError{From: %q, To: %q}, want {From: %q, To: %q}", te.From, te.To, tt.from, tt.to)
			}
		})
	}
}

// TestTransitionErrorMessage proves the error text names both statuses, quoted.
func TestTransitionErrorMessage(t *testing.T) {
	err := CheckTransition(StatusClosedWon, StatusApproved)
	if err == nil {
		t.Fatal("CheckTransition(closed_won, approved) = nil, want an error")
	}
	msg := err.Error()
	for _, part := range []string{`"closed_won"`, `"approved"`} {
		if !strings.Contains(msg, part) {
			t.Errorf("error %q does not contain %s", msg, part)
		}
	}
	want := `a deal in status "closed_won" cannot move to "approved"`
	if msg != want {
		t.Errorf("Error() = %q, want %q", msg, want)
	}
}
