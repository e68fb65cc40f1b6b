package read

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// StatementWithLines reads partner's published statement for a cycle and
// its lines, within scope (a partner: its own only); pgx.ErrNoRows when
// there is none to see.
func (rd *Reader) StatementWithLines(ctx context.Context, cycleID uuid.UUID, scope, partner uuid.NullUUID) (dbq.StatementsForPartnerRow, []CycleLineView, error) {
	sts, err := rd.q.StatementsForPartner(ctx, dbq.StatementsForPartnerParams{ScopePartnerID: scope, PartnerID: partner,
		CycleID: uuid.NullUUID{UUID: cycleID, Valid: true}, MaxRows: 1})
	if err != nil {
		return dbq.StatementsForPartnerRow{}, nil, err
	}
	if len(sts) == 0 {
		return dbq.StatementsForPartnerRow{}, nil, pgx.ErrNoRows
	}
	rows, err := rd.q.CycleLines(ctx, dbq.CycleLinesParams{CycleID: cycleID, ScopePartnerID: partner, MaxRows: 10000})
	if err != nil {
		return sts[0], nil, err
	}
	lines := make([]CycleLineView, 0, len(rows))
	for _, r := range rows {
		lines = append(lines, CycleLineOf(r))
	}
	return sts[0], lines, nil
}

// Explanation says why a statement line pays what it pays.
type Explanation struct {
	Line        CycleLineView         `json:"line"`
	CycleID     string                `json:"cycle_id"`
	CycleStatus string                `json:"cycle_status"`
	Program     string                `json:"program"`
	Kind        string                `json:"kind"`
	Version     int                   `json:"rules_version"`
	Rules       domain.IncentiveRules `json:"rules"`
	PeriodStart string                `json:"period_start"`
	PeriodEnd   string                `json:"period_end"`
	// Deals are the first explainedDeals deals behind the line, by close
	// date; DealsTotal counts them all (DealsTruncated: more than listed,
	// every one in GET /v1/statement-lines/{id}/deals.csv).
	Deals          []ExplainedDeal      `json:"deals"`
	DealsTotal     int                  `json:"deals_total"`
	DealsTruncated bool                 `json:"deals_truncated"`
	Review         []CycleEventView     `json:"review"`
	Ledger         []domain.LedgerEntry `json:"ledger"`
	Payout         *PayoutView          `json:"payout,omitempty"`
	// TrueUp is set on a clawback or correction: what it trues up.
	TrueUp *TrueUpView `json:"true_up,omitempty"`
	// ExcludedDeals are the partner's deals this cycle froze but does not
	// pay (another currency than the program's), the first 100.
	ExcludedDeals          []ExcludedDealView `json:"excluded_deals"`
	ExcludedDealsTruncated bool               `json:"excluded_deals_truncated,omitempty"`
	Summary                string             `json:"summary"`
}

// TrueUpView is what a clawback or correction trues up: the period of the
// cycle that paid it, its basis (a rebate: the partner's revenue in that
// period; a referral or SPIFF: the deal's won amount) as last corrected
// and now, the figure the rules of that cycle's version give on each, and
// their difference (the line's computed amount).
type TrueUpView struct {
	PaidCycleID  string                 `json:"paid_cycle_id"`
	PeriodStart  string                 `json:"period_start"`
	PeriodEnd    string                 `json:"period_end"` // last day included
	BasisBefore  int64                  `json:"basis_before"`
	BasisAfter   int64                  `json:"basis_after"`
	FigureBefore int64                  `json:"figure_before"`
	FigureAfter  int64                  `json:"figure_after"`
	Difference   int64                  `json:"difference"`
	RulesVersion int                    `json:"rules_version"`
	Rules        *domain.IncentiveRules `json:"rules,omitempty"`
}

// ExplainedDeal is a frozen input behind a line.
type ExplainedDeal struct {
	DealID         string `json:"deal_id"`
	Customer       string `json:"customer"`
	Kind           string `json:"input"` // won or change
	Amount         int64  `json:"amount"`
	PreviousAmount *int64 `json:"previous_amount,omitempty"`
	Currency       string `json:"currency"`
	Units          int64  `json:"units"`
	ClosedOn       string `json:"closed_on"`
	// Earned is what the deal earned in a per-deal program (referral,
	// SPIFF), rounded half to even; Note says why less than its claim.
	Earned *int64 `json:"earned,omitempty"`
	Note   string `json:"note,omitempty"`
	// Attribution is who sourced the deal and what influenced its win,
	// with the evidence.
	Attribution *AttributionView `json:"attribution,omitempty"`
}

// PayoutView is a partner's payout for a cycle.
type PayoutView struct {
	Amount   int64     `json:"amount"`
	Currency string    `json:"currency"`
	Status   string    `json:"status"`
	PostedAt time.Time `json:"posted_at"`
}

// explainedDeals is how many deals an explanation lists.
const explainedDeals = 500

func explainedDeal(in dbq.StatementLineInputsRow) ExplainedDeal {
	d := ExplainedDeal{DealID: in.DealID.String(), Customer: in.CustomerName, Kind: in.Kind, Amount: in.Amount,
		Currency: in.Currency, Units: in.Units, ClosedOn: in.ClosedOn.Format(time.DateOnly), Note: in.Note.String}
	if in.PreviousAmount.Valid {
		v := in.PreviousAmount.Int64
		d.PreviousAmount = &v
	}
	if in.Earned.Valid {
		v := in.Earned.Int64
		d.Earned = &v
	}
	return d
}

// Explanation gathers why line l (read within the caller's scope:
// Line) pays what it pays.
func (rd *Reader) Explanation(ctx context.Context, l dbq.StatementLineGetRow) (Explanation, error) {
	// The rules were valid when published; a line whose rules no longer
	// parse cannot be explained honestly (its summary quotes them).
	rules, err := domain.ParseIncentiveRules(domain.IncentiveKind(l.ProgramKind), l.Rules)
	if err != nil {
		return Explanation{}, fmt.Errorf("rules of line %s (program %s version %d): %w", l.ID, l.ProgramCode, l.ProgramVersion, err)
	}
	inputs, err := rd.q.StatementLineInputs(ctx, db.LineInputsParams(l, explainedDeals))
	if err != nil {
		return Explanation{}, err
	}
	events, err := rd.q.StatementLineEvents(ctx, dbq.StatementLineEventsParams{CycleID: l.CycleID,
		LineID: uuid.NullUUID{UUID: l.ID, Valid: true}, PartnerID: uuid.NullUUID{UUID: l.PartnerID, Valid: true}})
	if err != nil {
		return Explanation{}, err
	}
	entries, err := rd.q.LedgerEntriesForLine(ctx, uuid.NullUUID{UUID: l.ID, Valid: true})
	if err != nil {
		return Explanation{}, err
	}
	ex := Explanation{
		Line: CycleLineOf(dbq.CycleLinesRow{ID: l.ID, CycleID: l.CycleID, PartnerID: l.PartnerID, LineNo: l.LineNo, Kind: l.Kind,
			DealID: l.DealID, Basis: l.Basis, Deals: l.Deals, RateBp: l.RateBp, Tier: l.Tier, Amount: l.Amount, Currency: l.Currency,
			Detail: l.Detail, ReversesLineID: l.ReversesLineID, EffectiveAmount: l.EffectiveAmount}),
		CycleID: l.CycleID.String(), CycleStatus: l.CycleStatus, Program: l.ProgramCode, Kind: l.ProgramKind,
		Version: int(l.ProgramVersion), Rules: rules, PeriodStart: l.PeriodStart.Format(time.DateOnly),
		PeriodEnd: l.PeriodEnd.AddDate(0, 0, -1).Format(time.DateOnly), Review: CycleEventsOf(events),
		Deals: make([]ExplainedDeal, 0, len(inputs)), Ledger: make([]domain.LedgerEntry, 0, len(entries)),
	}
	ids := make([]uuid.UUID, 0, len(inputs))
	for _, in := range inputs {
		ex.Deals = append(ex.Deals, explainedDeal(in))
		ids = append(ids, in.DealID)
	}
	attrs, err := rd.attributions(ctx, l.PartnerID, ids)
	if err != nil {
		return Explanation{}, err
	}
	for i := range ex.Deals {
		ex.Deals[i].Attribution = attrs[inputs[i].DealID]
	}
	ex.DealsTotal = int(l.Deals)
	ex.DealsTruncated = len(inputs) < ex.DealsTotal
	for _, e := range entries {
		ex.Ledger = append(ex.Ledger, db.LedgerEntryOf(e))
	}
	if po, err := rd.q.PayoutForPartner(ctx, dbq.PayoutForPartnerParams{CycleID: l.CycleID, PartnerID: l.PartnerID}); err == nil {
		ex.Payout = &PayoutView{Amount: po.Amount, Currency: po.Currency, Status: po.Status, PostedAt: po.PostedAt}
	}
	// The line was read within the caller's scope; its partner's excluded
	// deals only, in SQL.
	ex.ExcludedDeals, ex.ExcludedDealsTruncated, err = rd.ExcludedDeals(ctx, dbq.CycleExcludedDealsParams{CycleID: l.CycleID,
		ScopePartnerID: uuid.NullUUID{UUID: l.PartnerID, Valid: true}, MaxRows: ExcludedListed})
	if err != nil {
		return Explanation{}, err
	}
	if ex.TrueUp, err = rd.trueUp(ctx, l); err != nil {
		return Explanation{}, err
	}
	ex.Summary = explainSummary(l, rules, ex.TrueUp)
	return ex, nil
}

// trueUp describes the true-up line l is, with the rules of the version
// it was computed under; nil for any other line (and for clawbacks drafted
// before true-ups, which carry no before and after).
func (rd *Reader) trueUp(ctx context.Context, l dbq.StatementLineGetRow) (*TrueUpView, error) {
	if !l.PaidCycleID.Valid || !l.BasisBefore.Valid || !l.PaidProgramVersion.Valid {
		return nil, nil
	}
	t := &TrueUpView{PaidCycleID: l.PaidCycleID.UUID.String(), PeriodStart: l.PaidPeriodStart.Time.Format(time.DateOnly),
		PeriodEnd: l.PaidPeriodEnd.Time.AddDate(0, 0, -1).Format(time.DateOnly), BasisBefore: l.BasisBefore.Int64,
		BasisAfter: l.BasisAfter.Int64, FigureBefore: l.FigureBefore.Int64, FigureAfter: l.FigureAfter.Int64,
		Difference: l.FigureAfter.Int64 - l.FigureBefore.Int64, RulesVersion: int(l.PaidProgramVersion.Int32)}
	v, err := rd.q.IncentiveProgramVersionGet(ctx, dbq.IncentiveProgramVersionGetParams{ProgramID: l.ProgramID, Version: l.PaidProgramVersion.Int32})
	if err != nil {
		return nil, err
	}
	if r, err := domain.ParseIncentiveRules(domain.IncentiveKind(l.ProgramKind), v.Rules); err == nil {
		t.Rules = &r
	}
	return t, nil
}

func explainSummary(l dbq.StatementLineGetRow, r domain.IncentiveRules, tu *TrueUpView) string {
	money := func(v int64) string { return domain.FormatMinor(v, l.Currency) + " " + l.Currency }
	if tu != nil {
		s := trueUpSummary(l.ProgramKind, tu, money)
		if l.EffectiveAmount != l.Amount {
			s += "; adjusted by finance to " + money(l.EffectiveAmount)
		}
		return s
	}
	s := l.Detail
	switch l.Kind {
	case "rebate":
		s = money(l.Basis) + " closed-won revenue over " + strconv.Itoa(int(l.Deals)) + " deal(s); " + l.Detail + "; " + r.Mode + " rebate = " + money(l.Amount)
	case "referral":
		s = l.Detail + ": " + money(l.Basis) + " won, " + strconv.FormatFloat(float64(r.RateBP)/100, 'f', -1, 64) + " % of each deal"
		if r.CapPerDeal > 0 {
			s += " (at most " + money(r.CapPerDeal) + " a deal)"
		}
		s += ", rounded half to even per deal = " + money(l.Amount)
	case "spiff":
		s = l.Detail + ": " + money(l.Amount)
	}
	if l.EffectiveAmount != l.Amount {
		s += "; adjusted by finance to " + money(l.EffectiveAmount)
	}
	return s + "; rounding half to even, rules version " + strconv.Itoa(int(l.ProgramVersion))
}

// trueUpSummary says in one line what a true-up of a program of kind
// recomputed: "period 2026-07-01 – 2026-09-30 revenue was A, now B;
// marginal rebate was R1, now R2; difference D; rules version V".
func trueUpSummary(kind string, t *TrueUpView, money func(int64) string) string {
	basis, figure := "deal amount", "SPIFF"
	switch kind {
	case string(domain.IncentiveRebate):
		basis, figure = "revenue", "rebate"
		if t.Rules != nil {
			figure = t.Rules.Mode + " rebate"
		}
	case string(domain.IncentiveReferral):
		figure = "commission"
		if t.Rules != nil && t.Rules.CapPerDeal > 0 {
			figure += " (capped at " + money(t.Rules.CapPerDeal) + ")"
		}
	}
	what := "clawed back"
	if t.Difference > 0 {
		what = "paid"
	}
	return "true-up of period " + t.PeriodStart + " – " + t.PeriodEnd + ": " + basis + " was " + money(t.BasisBefore) + ", now " +
		money(t.BasisAfter) + "; " + figure + " was " + money(t.FigureBefore) + ", now " + money(t.FigureAfter) + "; difference " +
		money(t.Difference) + " " + what + "; rules version " + strconv.Itoa(t.RulesVersion) + ", rounding half to even"
}

// Line reads statement line id within scope (a partner: its own
// published lines only); pgx.ErrNoRows when there is none within reach.
func (rd *Reader) Line(ctx context.Context, id uuid.UUID, scope uuid.NullUUID) (dbq.StatementLineGetRow, error) {
	return rd.q.StatementLineGet(ctx, dbq.StatementLineGetParams{ID: id, ScopePartnerID: scope})
}
