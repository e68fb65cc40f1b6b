package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The catalog of the quote context (configure, price, quote): products with
// their configuration rules, list prices per currency and volume discount
// schedules. It is plain data here; the database keeps it and a quote reads
// the version in force on its price date.

// Product is a thing that can be quoted: its SKU, product line (the same
// product lines deals carry), unit of sale, whether any discount may apply
// to it and whether it can be quoted at all, and its configuration rules.
type Product struct {
	SKU          string `json:"sku"`
	Name         string `json:"name"`
	ProductLine  string `json:"product_line"`
	Unit         string `json:"unit"`
	Discountable bool   `json:"discountable"`
	Active       bool   `json:"active"`
	// MinQty and MaxQty bound a line's quantity (MaxQty 0: no maximum).
	MinQty int64 `json:"min_qty"`
	MaxQty int64 `json:"max_qty"`
	// Requires lists SKUs a quote with this product must also hold (a seat
	// licence requires its console); Excludes SKUs it must not hold.
	Requires []string `json:"requires,omitempty"`
	Excludes []string `json:"excludes,omitempty"`
}

// MaxQuantity bounds any line's quantity.
const MaxQuantity int64 = 1_000_000_000

var skuPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,63}$`)

// SKUProblem says why s cannot be a SKU ("" when it can): 1 to 64
// upper-case letters, digits, dots, dashes and underscores.
func SKUProblem(s string) string {
	if !skuPattern.MatchString(s) {
		return "must be 1 to 64 upper-case letters, digits, '.', '-' or '_'"
	}
	return ""
}

// ProductProblems checks a product as the catalog would store it; each
// problem names its field.
func ProductProblems(p Product) []FieldProblem {
	var out []FieldProblem
	add := func(f, m string) { out = append(out, FieldProblem{Field: f, Message: m}) }
	if m := SKUProblem(p.SKU); m != "" {
		add("sku", m)
	}
	if strings.TrimSpace(p.Name) == "" || len(p.Name) > 200 {
		add("name", "must be 1 to 200 characters")
	}
	if m := ProductLineProblem(p.ProductLine); m != "" || p.ProductLine != strings.ToLower(strings.TrimSpace(p.ProductLine)) {
		add("product_line", "must be 1 to 100 lower-case characters")
	}
	if strings.TrimSpace(p.Unit) == "" || len(p.Unit) > 50 {
		add("unit", "must be 1 to 50 characters")
	}
	if p.MinQty < 1 || p.MinQty > MaxQuantity {
		add("min_qty", fmt.Sprintf("must be 1 to %d", MaxQuantity))
	}
	if p.MaxQty != 0 && (p.MaxQty < p.MinQty || p.MaxQty > MaxQuantity) {
		add("max_qty", "must be 0 (no maximum) or at least min_qty")
	}
	for _, rule := range []struct {
		field string
		skus  []string
	}{{"requires", p.Requires}, {"excludes", p.Excludes}} {
		for _, s := range rule.skus {
			if SKUProblem(s) != "" || s == p.SKU {
				add(rule.field, fmt.Sprintf("%q is not another product's SKU", s))
			}
		}
	}
	return out
}

// FieldProblem is what is wrong with one field of an input, named by its
// path (lines[2].quantity).
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Price is a product's list price in one currency, in force from one day
// (its price book entry): a change is a new entry from a later day, so a
// quote priced before it keeps its prices.
type Price struct {
	SKU      string `json:"sku"`
	Currency string `json:"currency"`
	// ListPrice is the price of one unit, in the currency's minor units.
	ListPrice     int64  `json:"list_price"`
	EffectiveFrom string `json:"effective_from"` // YYYY-MM-DD
	// Version numbers the SKU's price entries in this currency (1, 2, ...).
	Version int `json:"version"`
}

// Volume discount schedule kinds.
const (
	// ScheduleRange prices the whole quantity at the rate of the tier the
	// quantity falls in.
	ScheduleRange = "range"
	// ScheduleSlab prices each unit at the rate of the slab it falls in.
	ScheduleSlab = "slab"
)

// VolumeTier is one tier (range) or slab of a schedule: from quantity From
// (inclusive) up to the next tier's From, the rate BP.
type VolumeTier struct {
	From int64       `json:"from"`
	BP   BasisPoints `json:"bp"`
}

// Schedule is a product's volume discount schedule, versioned: the latest
// version applies to new pricing.
type Schedule struct {
	SKU     string       `json:"sku"`
	Kind    string       `json:"kind"`
	Tiers   []VolumeTier `json:"tiers"`
	Version int          `json:"version"`
}

// ScheduleProblems checks a schedule: a known kind, tiers from 1 upwards in
// increasing order, each rate 0 to 100 %.
func ScheduleProblems(s Schedule) []FieldProblem {
	var out []FieldProblem
	if m := SKUProblem(s.SKU); m != "" {
		out = append(out, FieldProblem{"sku", m})
	}
	if s.Kind != ScheduleRange && s.Kind != ScheduleSlab {
		out = append(out, FieldProblem{"kind", "must be range or slab"})
	}
	if len(s.Tiers) == 0 || len(s.Tiers) > 100 {
		out = append(out, FieldProblem{"tiers", "must list 1 to 100 tiers"})
	}
	for i, t := range s.Tiers {
		f := fmt.Sprintf("tiers[%d]", i)
		switch {
		case i == 0 && t.From != 1:
			out = append(out, FieldProblem{f + ".from", "the first tier starts at quantity 1"})
		case i > 0 && t.From <= s.Tiers[i-1].From:
			out = append(out, FieldProblem{f + ".from", "tiers must start at increasing quantities"})
		}
		if m := BPProblem(t.BP); m != "" {
			out = append(out, FieldProblem{f + ".bp", m})
		}
	}
	return out
}

// BPProblem refuses a discount rate below 0 or above 100 %.
func BPProblem(bp BasisPoints) string {
	if bp < 0 || bp > MaxBasisPoints {
		return "must be 0 to 10000 basis points (0 to 100 %)"
	}
	return ""
}

// tierFor returns the index of the tier quantity q falls in (-1: below
// the first).
func (s Schedule) tierFor(q int64) int {
	i := -1
	for j, t := range s.Tiers {
		if q >= t.From {
			i = j
		}
	}
	return i
}

// ConfigurationProblems checks a quote's lines against the catalog: every
// SKU known and active, each quantity within its product's limits, every
// product's requires present and excludes absent. Each problem names the
// line and field (lines[i].sku, lines[i].quantity).
func ConfigurationProblems(lines []LineRequest, products map[string]Product) []FieldProblem {
	var out []FieldProblem
	skus := make(map[string]bool, len(lines))
	for _, l := range lines {
		skus[l.SKU] = true
	}
	for i, l := range lines {
		f := func(field string) string { return fmt.Sprintf("lines[%d].%s", i, field) }
		p, ok := products[l.SKU]
		switch {
		case !ok:
			out = append(out, FieldProblem{f("sku"), fmt.Sprintf("no product %q in the catalog", l.SKU)})
			continue
		case !p.Active:
			out = append(out, FieldProblem{f("sku"), fmt.Sprintf("%s is inactive and cannot be quoted", l.SKU)})
			continue
		}
		if l.Quantity < p.MinQty || (p.MaxQty > 0 && l.Quantity > p.MaxQty) || l.Quantity > MaxQuantity {
			limit := fmt.Sprintf("at least %d", p.MinQty)
			if p.MaxQty > 0 {
				limit = fmt.Sprintf("%d to %d", p.MinQty, p.MaxQty)
			}
			out = append(out, FieldProblem{f("quantity"), fmt.Sprintf("%s takes %s %s", l.SKU, limit, p.Unit)})
		}
		for _, r := range p.Requires {
			if !skus[r] {
				out = append(out, FieldProblem{f("sku"), fmt.Sprintf("%s requires %s on the same quote", l.SKU, r)})
			}
		}
		for _, x := range p.Excludes {
			if skus[x] {
				out = append(out, FieldProblem{f("sku"), fmt.Sprintf("%s cannot be quoted with %s", l.SKU, x)})
			}
		}
		if m := BPProblem(l.AdditionalBP); m != "" {
			out = append(out, FieldProblem{f("additional_bp"), m})
		} else if l.AdditionalBP > 0 && !p.Discountable {
			out = append(out, FieldProblem{f("additional_bp"), fmt.Sprintf("%s is not discountable", l.SKU)})
		}
	}
	dup := make(map[string]int, len(lines))
	for i, l := range lines {
		if j, ok := dup[l.SKU]; ok {
			out = append(out, FieldProblem{fmt.Sprintf("lines[%d].sku", i), fmt.Sprintf("%s is on line %d already; change its quantity", l.SKU, j)})
		}
		dup[l.SKU] = i
	}
	slices.SortStableFunc(out, func(a, b FieldProblem) int { return strings.Compare(a.Field, b.Field) })
	return out
}
