package domain

import (
	"fmt"
	"slices"
	"strings"
)

// MaterialChange is a change to one of the figures a deal's approvals were
// given on: its amount, currency or product lines.
type MaterialChange struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// String reads "amount 25000000 → 125000000000" (product lines joined
// with ", ").
func (c MaterialChange) String() string {
	show := func(v any) string {
		if l, ok := v.([]string); ok {
			return strings.Join(l, ", ")
		}
		return fmt.Sprint(v)
	}
	return c.Field + " " + show(c.From) + " → " + show(c.To)
}

// MaterialChanges lists what changed from before to after among the
// figures approvals depend on — amount, currency, and product lines as a
// set (the same lines in another order are no change) — in that order.
// Contact, notes and the expected close date are not material: an
// approval given before they changed still stands.
func MaterialChanges(before, after Registration) []MaterialChange {
	var out []MaterialChange
	if before.Amount != after.Amount {
		out = append(out, MaterialChange{"amount", before.Amount, after.Amount})
	}
	if before.Currency != after.Currency {
		out = append(out, MaterialChange{"currency", before.Currency, after.Currency})
	}
	if !sameSet(before.ProductLines, after.ProductLines) {
		out = append(out, MaterialChange{"product_lines", slices.Clone(before.ProductLines), slices.Clone(after.ProductLines)})
	}
	return out
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
