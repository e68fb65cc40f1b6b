package read

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/incentive"
)

// CycleView is an incentive cycle as stored, with its review history and,
// while its workflow runs, the workflow's own view (held partners,
// adjusters, stage).
type CycleView struct {
	ID             string `json:"id"`
	ProgramID      string `json:"program_id"`
	ProgramCode    string `json:"program_code"`
	ProgramName    string `json:"program_name"`
	Kind           string `json:"kind"`
	Currency       string `json:"currency"`
	ProgramVersion int    `json:"program_version"`
	PeriodStart    string `json:"period_start"`
	PeriodEnd      string `json:"period_end"` // last day included
	Status         string `json:"status"`
	Inputs         int    `json:"inputs"`
	ExcludedInputs int    `json:"excluded_inputs"`
	// Excluded counts the deals the cycle froze but does not pay, by
	// reason; ExcludedDeals lists the first 100 of them (every one:
	// GET /v1/cycles/{id}/excluded-deals). In one cycle's view only.
	Excluded               []ExcludedSummary     `json:"excluded,omitempty"`
	ExcludedDeals          []ExcludedDealView    `json:"excluded_deals,omitempty"`
	ExcludedDealsTruncated bool                  `json:"excluded_deals_truncated,omitempty"`
	Lines                  int                   `json:"lines"`
	Partners               int                   `json:"partners"`
	Total                  int64                 `json:"total"`
	ApprovedBy             string                `json:"approved_by,omitempty"`
	ApprovedAt             *time.Time            `json:"approved_at,omitempty"`
	PaidAt                 *time.Time            `json:"paid_at,omitempty"`
	Events                 []CycleEventView      `json:"events,omitempty"`
	Workflow               *incentive.CycleState `json:"workflow,omitempty"`
	// Approvals are finance's approvals given and required (one cycle's
	// view, not the list's).
	Approvals *CycleApprovalsView `json:"approvals,omitempty"`
}

// CycleEventView is one decision of a cycle's review.
type CycleEventView struct {
	Seq       int          `json:"seq"`
	Type      string       `json:"type"`
	PartnerID string       `json:"partner_id,omitempty"`
	LineID    string       `json:"line_id,omitempty"`
	Amount    *int64       `json:"amount,omitempty"`
	Actor     domain.Actor `json:"actor"`
	Reason    string       `json:"reason"`
	At        time.Time    `json:"at"`
}

// CycleEventsOf is a cycle's review history as the API returns it.
func CycleEventsOf(rows []dbq.CycleEvent) []CycleEventView {
	out := make([]CycleEventView, 0, len(rows))
	for _, e := range rows {
		v := CycleEventView{Seq: int(e.Seq), Type: e.Type, Actor: domain.Actor{ID: e.ActorID, Name: e.ActorName, Role: domain.Role(e.ActorRole),
			PersonID: PersonIDOf(e.ActorPersonID)}, Reason: e.Reason, At: e.OccurredAt}
		if e.PartnerID.Valid {
			v.PartnerID = e.PartnerID.UUID.String()
		}
		if e.LineID.Valid {
			v.LineID = e.LineID.UUID.String()
		}
		if e.Amount.Valid {
			a := e.Amount.Int64
			v.Amount = &a
		}
		out = append(out, v)
	}
	return out
}

// CycleOf is a stored cycle as the API returns it, without its history.
func CycleOf(c dbq.CycleGetRow) CycleView {
	v := CycleView{ID: c.ID.String(), ProgramID: c.ProgramID.String(), ProgramCode: c.ProgramCode, ProgramName: c.ProgramName,
		Kind: c.Kind, Currency: c.Currency, ProgramVersion: int(c.ProgramVersion), PeriodStart: c.PeriodStart.Format(time.DateOnly),
		PeriodEnd: c.PeriodEnd.AddDate(0, 0, -1).Format(time.DateOnly), Status: c.Status, Inputs: int(c.Inputs),
		ExcludedInputs: int(c.ExcludedInputs), Lines: int(c.Lines), Partners: int(c.Partners), Total: c.Total}
	if c.ApprovedBy.Valid {
		v.ApprovedBy = c.ApprovedBy.String
	}
	if c.ApprovedAt.Valid {
		v.ApprovedAt = &c.ApprovedAt.Time
	}
	if c.PaidAt.Valid {
		v.PaidAt = &c.PaidAt.Time
	}
	return v
}

// CycleListOf is CycleOf for a row of the cycle list.
func CycleListOf(r dbq.CycleListRow) CycleView {
	return CycleOf(dbq.CycleGetRow{ID: r.ID, ProgramID: r.ProgramID, ProgramVersion: r.ProgramVersion,
		PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Status: r.Status, Inputs: r.Inputs, ExcludedInputs: r.ExcludedInputs,
		Lines: r.Lines, Partners: r.Partners, Total: r.Total, ApprovedAt: r.ApprovedAt, ApprovedBy: r.ApprovedBy, PaidAt: r.PaidAt,
		ProgramCode: r.ProgramCode, ProgramName: r.ProgramName, Kind: r.Kind, Currency: r.Currency})
}

// CycleLineView is a statement line with its amount after adjustments.
type CycleLineView struct {
	ID             string `json:"id"`
	PartnerID      string `json:"partner_id"`
	PartnerName    string `json:"partner_name,omitempty"`
	LineNo         int    `json:"line_no"`
	Kind           string `json:"kind"`
	DealID         string `json:"deal_id,omitempty"`
	Basis          int64  `json:"basis"`
	Deals          int    `json:"deals"`
	RateBP         *int64 `json:"rate_bp,omitempty"`
	Tier           *int   `json:"tier,omitempty"`
	Computed       int64  `json:"computed_amount"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	Detail         string `json:"detail"`
	ReversesLineID string `json:"reverses_line_id,omitempty"`
}

// CycleLineOf is a statement line as the API returns it.
func CycleLineOf(l dbq.CycleLinesRow) CycleLineView {
	v := CycleLineView{ID: l.ID.String(), PartnerID: l.PartnerID.String(), PartnerName: l.PartnerName, LineNo: int(l.LineNo), Kind: l.Kind, Basis: l.Basis,
		Deals: int(l.Deals), Computed: l.Amount, Amount: l.EffectiveAmount, Currency: l.Currency, Detail: l.Detail}
	if l.DealID.Valid {
		v.DealID = l.DealID.UUID.String()
	}
	if l.RateBp.Valid {
		r := l.RateBp.Int64
		v.RateBP = &r
	}
	if l.Tier.Valid {
		t := int(l.Tier.Int32) + 1
		v.Tier = &t
	}
	if l.ReversesLineID.Valid {
		v.ReversesLineID = l.ReversesLineID.UUID.String()
	}
	return v
}

// CycleApprovalsView is finance's four eyes on a cycle: the approvals
// given (since the last adjustment, which voids earlier ones) and how many
// different finance people must approve — two when the payout is at or
// above the program's second_approval_at, else one.
type CycleApprovalsView struct {
	// Required is 0 when unknown: the cycle's workflow did not answer, or
	// the cycle started before approvals were counted by person (one).
	Required         int              `json:"required"`
	Given            []CycleEventView `json:"given"`
	Payout           int64            `json:"payout"`
	SecondApprovalAt int64            `json:"second_approval_at"`
}

// CycleState asks a cycle's workflow for its state; nil when it does not
// answer in time (the stored view stands on its own).
func (rd *Reader) CycleState(ctx context.Context, workflowID string) *incentive.CycleState {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := rd.cycles.Query(ctx, workflowID)
	if err != nil {
		return nil
	}
	return &st
}

// CycleApprovals reads the approvals given from the review history (those
// after the last approvals_cleared event) and what is required from the
// workflow's state; once approved, the approvals given were what it took.
func CycleApprovals(v CycleView) *CycleApprovalsView {
	a := &CycleApprovalsView{Given: []CycleEventView{}}
	for _, e := range v.Events {
		switch e.Type {
		case domain.CycleEventApprovalsCleared:
			a.Given = a.Given[:0]
		case domain.CycleEventApprovalRecorded, domain.CycleEventApproved:
			a.Given = append(a.Given, e)
		}
	}
	if st := v.Workflow; st != nil {
		a.Required, a.Payout, a.SecondApprovalAt = st.RequiredApprovals, st.Payout, st.SecondApprovalAt
	}
	if a.Required == 0 && v.ApprovedAt != nil {
		a.Required = len(a.Given)
	}
	return a
}
