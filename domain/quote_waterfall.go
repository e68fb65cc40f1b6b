package domain

import (
	"fmt"
	"math/big"
	"strings"
)

// The price waterfall. Per line, in this order, each step applied to the
// line's running amount and rounded half-even to the currency's minor unit
// at each step: list amount (quantity × list price) → volume discount →
// partner discount → deal-registration discount → additional discount.
// Every line carries each step with the rule and version it came from.
// Amounts are integers of the currency's minor unit (cents, yen), so
// rounding to the minor unit is rounding to a whole number; a step's
// discount is the running amount before it less the rounded amount after.

// Waterfall step names, in the order they apply.
const (
	StepList         = "list"
	StepVolume       = "volume"
	StepPartner      = "partner"
	StepRegistration = "registration"
	StepAdditional   = "additional"
)

// LineRequest is one line a quote asks for: a SKU, a quantity, and the
// additional discount (special pricing) requested on it.
type LineRequest struct {
	SKU          string      `json:"sku"`
	Quantity     int64       `json:"quantity"`
	AdditionalBP BasisPoints `json:"additional_bp,omitempty"`
}

// PricingInputs is everything a quote is priced from, as in force on its
// price date: the catalog, the list prices of its currency, the volume
// schedules, the channel pricing policy, the quoting partner, and whether
// the quote earns the registration discount (with the reason either way).
type PricingInputs struct {
	Currency  string              `json:"currency"`
	PriceDate string              `json:"price_date"`
	Products  map[string]Product  `json:"products"`
	Prices    map[string]Price    `json:"prices"`
	Schedules map[string]Schedule `json:"schedules"`
	Policy    ChannelPricing      `json:"policy"`
	// PartnerType and PartnerTier select the partner discount.
	PartnerType string `json:"partner_type"`
	PartnerTier string `json:"partner_tier"`
	// Registration: the quote belongs to the quoting partner's own
	// approved, still protected registration. RegistrationWhy says why it
	// does or does not.
	Registration    bool   `json:"registration"`
	RegistrationWhy string `json:"registration_why"`
}

// WaterfallStep is one step of a line's waterfall: the rate applied, the
// amount it took off, the running amount after it, and the rule (and its
// version) it came from.
type WaterfallStep struct {
	Step     string      `json:"step"`
	BP       BasisPoints `json:"bp"`
	Discount int64       `json:"discount"`
	Amount   int64       `json:"amount"`
	Rule     string      `json:"rule"`
	Version  int         `json:"version"`
}

// PricedLine is one priced line with its waterfall; Net is the last step's
// amount.
type PricedLine struct {
	Line         int             `json:"line"`
	SKU          string          `json:"sku"`
	Name         string          `json:"name"`
	ProductLine  string          `json:"product_line"`
	Unit         string          `json:"unit"`
	Quantity     int64           `json:"quantity"`
	ListPrice    int64           `json:"list_price"`
	AdditionalBP BasisPoints     `json:"additional_bp"`
	Steps        []WaterfallStep `json:"steps"`
	ListAmount   int64           `json:"list_amount"`
	Net          int64           `json:"net"`
}

// PricedQuote is a quote's lines priced, with its totals and what its
// approval needs.
type PricedQuote struct {
	Currency      string       `json:"currency"`
	PriceDate     string       `json:"price_date"`
	PolicyVersion int          `json:"policy_version"`
	Lines         []PricedLine `json:"lines"`
	ListTotal     int64        `json:"list_total"`
	NetTotal      int64        `json:"net_total"`
	// Units is the quantity over all lines (per-unit SPIFFs pay on it);
	// ProductLines the lines' product lines, each once, in line order.
	Units        int64    `json:"units"`
	ProductLines []string `json:"product_lines"`
	Registration bool     `json:"registration"`
	// MaxAdditionalBP is the largest additional discount on any line, and
	// ApprovalLevel what the approval matrix requires for it.
	MaxAdditionalBP BasisPoints `json:"max_additional_bp"`
	ApprovalLevel   int         `json:"approval_level"`
}

// MaxQuoteLines bounds a quote's lines.
const MaxQuoteLines = 500

// PriceQuote prices lines by the waterfall. A quote that cannot be priced —
// a configuration problem, no list price in the quote's currency on its
// date, an amount beyond MaxAmount — yields its problems, each naming the
// line and field, and no quote.
func PriceQuote(lines []LineRequest, in PricingInputs) (PricedQuote, []FieldProblem) {
	if len(lines) == 0 || len(lines) > MaxQuoteLines {
		return PricedQuote{}, []FieldProblem{{"lines", fmt.Sprintf("a quote has 1 to %d lines", MaxQuoteLines)}}
	}
	if problems := ConfigurationProblems(lines, in.Products); len(problems) > 0 {
		return PricedQuote{}, problems
	}
	q := PricedQuote{Currency: in.Currency, PriceDate: in.PriceDate, PolicyVersion: in.Policy.Version,
		Lines: make([]PricedLine, 0, len(lines)), Registration: in.Registration}
	var problems []FieldProblem
	seen := map[string]bool{}
	for i, l := range lines {
		pl, problem := priceLine(i, l, in)
		if problem != nil {
			problems = append(problems, *problem)
			continue
		}
		q.Lines = append(q.Lines, pl)
		q.ListTotal += pl.ListAmount
		q.NetTotal += pl.Net
		q.Units += l.Quantity
		q.MaxAdditionalBP = max(q.MaxAdditionalBP, l.AdditionalBP)
		if !seen[pl.ProductLine] {
			seen[pl.ProductLine] = true
			q.ProductLines = append(q.ProductLines, pl.ProductLine)
		}
		if q.ListTotal > MaxAmount {
			return PricedQuote{}, []FieldProblem{{fmt.Sprintf("lines[%d].quantity", i), "the quote's total is out of range"}}
		}
	}
	if len(problems) > 0 {
		return PricedQuote{}, problems
	}
	q.ApprovalLevel = in.Policy.ApprovalLevel(q.MaxAdditionalBP)
	return q, nil
}

// priceLine runs one line's waterfall.
func priceLine(i int, l LineRequest, in PricingInputs) (PricedLine, *FieldProblem) {
	p := in.Products[l.SKU]
	price, ok := in.Prices[l.SKU]
	if !ok {
		return PricedLine{}, &FieldProblem{fmt.Sprintf("lines[%d].sku", i),
			fmt.Sprintf("no %s list price for %s on %s", in.Currency, l.SKU, in.PriceDate)}
	}
	list := new(big.Int).Mul(big.NewInt(l.Quantity), big.NewInt(price.ListPrice))
	if !list.IsInt64() || list.Int64() > MaxAmount {
		return PricedLine{}, &FieldProblem{fmt.Sprintf("lines[%d].quantity", i), "quantity × list price is out of range"}
	}
	pl := PricedLine{Line: i, SKU: l.SKU, Name: p.Name, ProductLine: p.ProductLine, Unit: p.Unit, Quantity: l.Quantity,
		ListPrice: price.ListPrice, AdditionalBP: l.AdditionalBP, ListAmount: list.Int64()}
	running := pl.ListAmount
	step := func(name string, bp BasisPoints, after int64, rule string, version int) {
		pl.Steps = append(pl.Steps, WaterfallStep{Step: name, BP: bp, Discount: running - after, Amount: after, Rule: rule, Version: version})
		running = after
	}
	step(StepList, 0, running, fmt.Sprintf("%d × %s %s list price (price book %s from %s)", l.Quantity,
		FormatMinor(price.ListPrice, in.Currency), in.Currency, in.Currency, price.EffectiveFrom), price.Version)
	if !p.Discountable {
		for _, s := range []string{StepVolume, StepPartner, StepRegistration, StepAdditional} {
			step(s, 0, running, l.SKU+" is not discountable", 0)
		}
		pl.Net = running
		return pl, nil
	}
	// Volume.
	if s, ok := in.Schedules[l.SKU]; ok {
		after, bp, rule := volume(s, l.Quantity, price.ListPrice)
		step(StepVolume, bp, after, rule, s.Version)
	} else {
		step(StepVolume, 0, running, "no volume schedule for "+l.SKU, 0)
	}
	// Partner.
	bp, rule := in.Policy.partnerRate(in.PartnerType, in.PartnerTier, p.ProductLine)
	if rule == "" {
		rule = fmt.Sprintf("no partner discount for %s %s on %s", in.PartnerType, in.PartnerTier, p.ProductLine)
	}
	step(StepPartner, bp, ApplyDiscount(running, bp), rule, in.Policy.Version)
	// Deal registration.
	if in.Registration {
		step(StepRegistration, in.Policy.RegistrationBP, ApplyDiscount(running, in.Policy.RegistrationBP),
			"registration discount: "+in.RegistrationWhy, in.Policy.Version)
	} else {
		step(StepRegistration, 0, running, "no registration discount: "+in.RegistrationWhy, in.Policy.Version)
	}
	// Additional.
	rule = "no additional discount requested"
	if l.AdditionalBP > 0 {
		rule = "additional discount requested (special pricing), subject to approval"
	}
	step(StepAdditional, l.AdditionalBP, ApplyDiscount(running, l.AdditionalBP), rule, in.Policy.Version)
	pl.Net = running
	return pl, nil
}

// volume applies schedule s to quantity units of unitPrice: it returns the
// amount after the volume step (rounded half-even once), the effective
// rate shown (the tier's for range; for slab the slab the last unit falls
// in) and the rule that explains it.
func volume(s Schedule, quantity, unitPrice int64) (int64, BasisPoints, string) {
	listAmount := new(big.Int).Mul(big.NewInt(quantity), big.NewInt(unitPrice))
	t := s.tierFor(quantity)
	if t < 0 {
		return listAmount.Int64(), 0, fmt.Sprintf("%s schedule v%d: below its first tier", s.Kind, s.Version)
	}
	if s.Kind == ScheduleRange {
		bp := s.Tiers[t].BP
		n := new(big.Int).Mul(listAmount, big.NewInt(MaxBasisPoints-bp))
		return roundHalfEven(n), bp, fmt.Sprintf("range schedule v%d: %d units fall in the tier from %d, %s on every unit",
			s.Version, quantity, s.Tiers[t].From, FormatBP(bp))
	}
	// Slab: each unit at the rate of the slab it falls in.
	sum := new(big.Int)
	var parts []string
	for j := 0; j <= t; j++ {
		from := s.Tiers[j].From
		to := quantity
		if j < t {
			to = s.Tiers[j+1].From - 1
		}
		units := to - from + 1
		term := new(big.Int).Mul(big.NewInt(units), big.NewInt(unitPrice))
		term.Mul(term, big.NewInt(MaxBasisPoints-s.Tiers[j].BP))
		sum.Add(sum, term)
		parts = append(parts, fmt.Sprintf("%d at %s", units, FormatBP(s.Tiers[j].BP)))
	}
	return roundHalfEven(sum), s.Tiers[t].BP, fmt.Sprintf("slab schedule v%d: %s", s.Version, strings.Join(parts, ", "))
}
