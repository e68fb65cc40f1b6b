package domain

import (
	"strings"
	"unicode"
)

// MaxProductLineLen is the longest product line a deal may carry.
const MaxProductLineLen = 100

// NormalizeProductLines is the one form product lines are stored and
// compared in, wherever they come in (deal registrations and their
// changes, close-won outcomes, conflict checks, CRM opportunities,
// incentive programs): trimmed, lower-cased, each once, in the order
// given. An entry blank after trimming stays (as "") for validation to
// refuse. nil stays nil.
func NormalizeProductLines(in []string) []string {
	if in == nil {
		return nil
	}
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, l := range in {
		l = strings.ToLower(strings.TrimSpace(l))
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// ProductLineProblem says why no deal could ever carry product line pl (as
// normalised): deals' product lines are 1 to 100 characters without
// control characters. "" when a deal could.
func ProductLineProblem(pl string) string {
	switch {
	case pl == "" || len(pl) > MaxProductLineLen:
		return "must be 1 to 100 characters"
	case strings.IndexFunc(pl, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}
