package console

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// The program form's rules: the inputs of the program's kind turned into
// the rules object the API takes (amounts in the currency's decimals,
// rates in percent or basis points), and back for a new version's form,
// and the rules in words for the lists.

// influenceLabels name the attribution filter's influences.
var influenceLabels = []option{
	{domain.InfluenceCoSell, "a co-sell engagement"},
	{domain.InfluenceSharedOpportunity, "a shared opportunity"},
	{domain.InfluenceLead, "a lead"},
	{domain.InfluenceReferralClick, "a referral link click"},
}

// formRules reads the posted rules inputs of kind k: the rules as JSON
// (only the kind's fields), their product lines, and the inputs that are
// not numbers or amounts, named by their rules field.
func (s *Console) formRules(c *gin.Context, k domain.IncentiveKind, currency string) ([]byte, []string, []web.FieldError) {
	f := c.Request.PostForm
	exp, ok := domain.CurrencyExponent(currency)
	if !ok {
		exp = 2
	}
	var errs []web.FieldError
	amount := func(field, in string) int64 {
		if in = strings.TrimSpace(in); in == "" {
			return 0
		}
		v, ok := steps.ParseDecimal(in, exp)
		if !ok {
			errs = append(errs, web.FieldError{Field: "rules." + field, Message: fmt.Sprintf("must be an amount such as 12500.%s", strings.Repeat("0", exp))})
		}
		return v
	}
	percent := func(field, in string) int64 {
		v, ok := steps.ParseDecimal(in, 2)
		if !ok {
			errs = append(errs, web.FieldError{Field: "rules." + field, Message: "must be a percentage such as 5 or 2.5"})
		}
		return v
	}
	whole := func(field, in string) int64 {
		if in = strings.TrimSpace(in); in == "" {
			return 0
		}
		v, err := strconv.ParseInt(in, 10, 64)
		if err != nil {
			errs = append(errs, web.FieldError{Field: "rules." + field, Message: "must be a whole number"})
		}
		return v
	}
	var r domain.IncentiveRules
	var lines []string
	if k == domain.IncentiveRebate || k == domain.IncentiveSpiff {
		lines = domain.NormalizeProductLines(formProductLines(c))
		r.ProductLines = lines
	}
	switch k {
	case domain.IncentiveRebate:
		r.Mode = f.Get("mode")
		above, rate := f["tier_above"], f["tier_rate"]
		for i := range max(len(above), len(rate)) {
			a, p := "", ""
			if i < len(above) {
				a = strings.TrimSpace(above[i])
			}
			if i < len(rate) {
				p = strings.TrimSpace(rate[i])
			}
			if a == "" && p == "" {
				continue
			}
			n := len(r.Tiers)
			t := domain.RebateTier{Above: amount(fmt.Sprintf("tiers[%d].above", n), a), RateBP: percent(fmt.Sprintf("tiers[%d].rate_bp", n), p)}
			if a == "" {
				errs = append(errs, web.FieldError{Field: fmt.Sprintf("rules.tiers[%d].above", n), Message: "is required"})
			}
			r.Tiers = append(r.Tiers, t)
		}
	case domain.IncentiveReferral:
		if f.Get("rate_unit") == "bp" {
			r.RateBP = whole("rate_bp", f.Get("rate"))
		} else if strings.TrimSpace(f.Get("rate")) != "" {
			r.RateBP = percent("rate_bp", f.Get("rate"))
		}
		r.CapPerDeal = amount("cap_per_deal", f.Get("cap_per_deal"))
		r.HoldDays = int(whole("hold_days", f.Get("hold_days")))
	case domain.IncentiveSpiff:
		r.Amount = amount("amount", f.Get("amount"))
		r.Per = f.Get("per")
		r.From, r.To = strings.TrimSpace(f.Get("from")), strings.TrimSpace(f.Get("to"))
		r.Budget = amount("budget", f.Get("budget"))
	}
	if sb, ib := f["sourced_by"], f["influenced_by"]; len(sb)+len(ib) > 0 {
		r.Attribution = &domain.AttributionFilter{SourcedBy: sb, InfluencedBy: ib}
	}
	r.SecondApprovalAt = amount("second_approval_at", f.Get("second_approval_at"))
	raw, _ := json.Marshal(r)
	return raw, lines, errs
}

// rulesValues fills the form in from stored rules (a new version starts
// from the current one).
func rulesValues(raw []byte, currency string) url.Values {
	var r domain.IncentiveRules
	_ = json.Unmarshal(raw, &r)
	v := url.Values{"mode": {r.Mode}, "per": {r.Per}, "from": {r.From}, "to": {r.To}, "rate_unit": {"bp"}}
	v["product_lines"] = r.ProductLines
	money := func(k string, x int64) {
		if x != 0 {
			v.Set(k, strings.ReplaceAll(domain.FormatMinor(x, currency), ",", ""))
		}
	}
	money("amount", r.Amount)
	money("budget", r.Budget)
	money("cap_per_deal", r.CapPerDeal)
	money("second_approval_at", r.SecondApprovalAt)
	if r.RateBP != 0 {
		v.Set("rate", strconv.FormatInt(r.RateBP, 10))
	}
	if r.HoldDays != 0 {
		v.Set("hold_days", strconv.Itoa(r.HoldDays))
	}
	for _, t := range r.Tiers {
		v.Add("tier_above", strings.ReplaceAll(domain.FormatMinor(t.Above, currency), ",", ""))
		v.Add("tier_rate", domain.FormatMinor(t.RateBP, "USD"))
	}
	if a := r.Attribution; a != nil {
		v["sourced_by"], v["influenced_by"] = a.SourcedBy, a.InfluencedBy
	}
	return v
}

// tierRows are the tier rows of form values.
func tierRows(v url.Values) []tierRow {
	var out []tierRow
	for i, a := range v["tier_above"] {
		out = append(out, tierRow{Above: a, Rate: v["tier_rate"][i]})
	}
	return out
}

// RulesSummary says in words what rules of kind k pay, in currency.
func RulesSummary(k domain.IncentiveKind, currency string, raw []byte) string {
	var r domain.IncentiveRules
	if err := json.Unmarshal(raw, &r); err != nil {
		return "rules unreadable"
	}
	money := func(x int64) string { return domain.FormatMinor(x, currency) + " " + currency }
	pct := func(bp int64) string { return domain.FormatMinor(bp, "USD") + " %" }
	var parts []string
	switch k {
	case domain.IncentiveRebate:
		var tiers []string
		for _, t := range r.Tiers {
			tiers = append(tiers, pct(t.RateBP)+" above "+money(t.Above))
		}
		parts = append(parts, r.Mode+" rebate: "+strings.Join(tiers, ", "))
	case domain.IncentiveReferral:
		s := pct(r.RateBP) + " of each referred deal"
		if r.CapPerDeal > 0 {
			s += ", at most " + money(r.CapPerDeal)
		}
		parts = append(parts, s+fmt.Sprintf(", payable %d days after close", r.HoldDays))
	case domain.IncentiveSpiff:
		s := money(r.Amount) + " per " + r.Per
		if r.From != "" || r.To != "" {
			s += ", closed " + r.From + ".." + r.To
		}
		if r.Budget > 0 {
			s += ", budget " + money(r.Budget)
		}
		parts = append(parts, s)
	}
	if len(r.ProductLines) > 0 {
		parts = append(parts, "product lines "+strings.Join(r.ProductLines, ", "))
	}
	if a := r.Attribution; a != nil {
		if len(a.SourcedBy) > 0 {
			parts = append(parts, "sourced by "+strings.Join(a.SourcedBy, " or "))
		}
		if len(a.InfluencedBy) > 0 {
			parts = append(parts, "influenced by "+strings.ReplaceAll(strings.Join(a.InfluencedBy, " or "), "_", " "))
		}
	}
	if r.SecondApprovalAt > 0 {
		parts = append(parts, "second approval at "+money(r.SecondApprovalAt))
	}
	return strings.Join(parts, "; ")
}
