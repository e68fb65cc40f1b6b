package steps

import (
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/go-playground/validator/v10"
)

// CoSellPolicyRequest sets a program's co-sell policy: the body of PUT
// /v1/programs/{id}/cosell-policy and the console's co-sell policy form.
// The reason is optional; the rules that span fields are
// domain.CoSellPolicyProblems'.
type CoSellPolicyRequest struct {
	RespondWithin         int      `json:"respond_within_business_days"`
	RemindAfter           int      `json:"remind_after_business_days"`
	MilestoneReminderDays int      `json:"milestone_reminder_days"`
	Holidays              []string `json:"holidays"`
	Reason                string   `json:"reason" validate:"max=2000,multiline"`
}

// Check validates the request (its tags, then the policy's rules) and
// returns the policy as it is stored (domain.NormalizeCoSellPolicy) with
// the reason trimmed, or what is wrong, per field ("holidays[1]").
func (r *CoSellPolicyRequest) Check(v *validator.Validate) (domain.CoSellPolicy, []web.FieldError) {
	if err := v.Struct(r); err != nil {
		return domain.CoSellPolicy{}, web.FieldErrors(err)
	}
	r.Reason = strings.TrimSpace(r.Reason)
	p := domain.CoSellPolicy{RespondWithin: r.RespondWithin, RemindAfter: r.RemindAfter,
		MilestoneReminderDays: r.MilestoneReminderDays, Holidays: r.Holidays}
	if problems := domain.CoSellPolicyProblems(p); len(problems) > 0 {
		errs := make([]web.FieldError, len(problems))
		for i, p := range problems {
			errs[i] = web.FieldError{Field: p.Field, Message: p.Message}
		}
		return domain.CoSellPolicy{}, errs
	}
	return domain.NormalizeCoSellPolicy(p), nil
}
