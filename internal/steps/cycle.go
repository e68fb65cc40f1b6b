package steps

import (
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/incentive"
)

// CycleBody is the body of one of finance's review steps: validated by
// its tags, then turned into the workflow update's argument (param reads
// the path's line or partner).
type CycleBody interface {
	Arg(actor domain.Actor, param func(string) string) any
	// FillForm takes the body from the console's form (get reads a field;
	// amounts are in a currency of exp decimals), or says why it cannot.
	FillForm(get func(string) string, exp int) string
}

// CycleStep is one of finance's review steps on a cycle: its path under
// the cycle (POST /v1/cycles/{id}{Path}, /console/cycles/{id}{Path}), the
// Update it sends and its body. The API and the console both serve every
// step from this one table, with the same validation.
type CycleStep struct {
	Path, Update string
	Roles        []domain.Role
	NewBody      func() CycleBody
	// Optional: the step may be sent without a body.
	Optional bool
}

// Cycle is the table of cycle steps.
func Cycle() []CycleStep {
	return []CycleStep{
		{"/lines/:line/adjust", incentive.UpdateCycleAdjust, web.FinanceRoles, func() CycleBody { return &adjustBody{} }, false},
		{"/partners/:partner/hold", incentive.UpdateCycleHold, web.FinanceRoles, func() CycleBody { return &holdBody{} }, false},
		{"/partners/:partner/release", incentive.UpdateCycleRelease, web.FinanceRoles, func() CycleBody { return &holdBody{} }, false},
		{"/approve", incentive.UpdateCycleApprove, web.FinanceRoles, func() CycleBody { return &approveCycleBody{} }, true},
	}
}

type adjustBody struct {
	Amount *int64 `json:"amount" validate:"required"`
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *adjustBody) Arg(actor domain.Actor, param func(string) string) any {
	return incentive.LineAdjustment{Actor: actor, LineID: param("line"), Amount: *b.Amount, Reason: strings.TrimSpace(b.Reason)}
}

type holdBody struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *holdBody) Arg(actor domain.Actor, param func(string) string) any {
	return incentive.PartnerHold{Actor: actor, PartnerID: param("partner"), Reason: strings.TrimSpace(b.Reason)}
}

type approveCycleBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (b *approveCycleBody) Arg(actor domain.Actor, _ func(string) string) any {
	return incentive.CycleApproval{Actor: actor, Reason: strings.TrimSpace(b.Reason)}
}

// FillForm reads a signed amount ("-12.50" takes back) and a reason.
func (b *adjustBody) FillForm(get func(string) string, exp int) string {
	v := strings.TrimSpace(get("amount"))
	minor, ok := ParseDecimal(strings.TrimPrefix(v, "-"), exp)
	if !ok {
		return "the amount must be a number such as 1250.00"
	}
	if strings.HasPrefix(v, "-") {
		minor = -minor
	}
	b.Amount, b.Reason = &minor, get("reason")
	return ""
}

// FillForm reads the reason.
func (b *holdBody) FillForm(get func(string) string, _ int) string {
	b.Reason = get("reason")
	return ""
}

// FillForm reads the reason.
func (b *approveCycleBody) FillForm(get func(string) string, _ int) string {
	b.Reason = get("reason")
	return ""
}
