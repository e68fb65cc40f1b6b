package read

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/google/uuid"
)

// Deal reads deal id within scope (a partner: its own organization's;
// pgx.ErrNoRows otherwise).
func (rd *Reader) Deal(ctx context.Context, id uuid.UUID, scope uuid.NullUUID) (dbq.Deal, error) {
	return rd.q.DealGet(ctx, dbq.DealGetParams{ID: id, ScopePartnerID: scope})
}

// Events reads deal id's events within scope, oldest first; for a
// partner (scope set) what it must not learn is redacted.
func (rd *Reader) Events(ctx context.Context, id uuid.UUID, scope uuid.NullUUID) ([]dbq.DealEvent, error) {
	events, err := rd.q.DealEventList(ctx, dbq.DealEventListParams{DealID: id, ScopePartnerID: scope})
	if err != nil || !scope.Valid {
		return events, err
	}
	return redactForPartner(events), nil
}

// DealWithTimeline reads deal id within scope and its view with its
// timeline (Events).
func (rd *Reader) DealWithTimeline(ctx context.Context, id uuid.UUID, scope uuid.NullUUID) (dbq.Deal, DealView, error) {
	d, err := rd.Deal(ctx, id, scope)
	if err != nil {
		return d, DealView{}, err
	}
	events, err := rd.Events(ctx, id, scope)
	if err != nil {
		return d, DealView{}, err
	}
	v := DealOf(d, events)
	if v.Outcome != nil && v.Outcome.Won {
		q, err := rd.q.QuoteAcceptedForDeal(ctx, d.ID)
		switch {
		case err == nil:
			v.Outcome.Quote = &WonQuoteRef{ID: q.ID.String(), Version: int(q.Version)}
		case !db.IsNotFound(err):
			return d, v, err
		}
	}
	return d, v, nil
}

// DealsOf is rows as the API lists them (without timelines).
func DealsOf(rows []dbq.Deal) []DealView {
	out := make([]DealView, 0, len(rows))
	for _, d := range rows {
		out = append(out, DealOf(d, nil))
	}
	return out
}

// Conflicts lists what deal d conflicts with now (the registrations,
// accounts and opportunities of others), by thresholds: what a channel
// manager's conflict review decides on.
func (rd *Reader) Conflicts(ctx context.Context, d dbq.Deal, thresholds domain.MatchThresholds) ([]domain.Conflict, error) {
	return conflicts.Engine{Pool: rd.pool}.FindConflicts(ctx, conflicts.Query{DealID: d.ID,
		ExcludePartner: uuid.NullUUID{UUID: d.PartnerID, Valid: true}, ProductLines: d.ProductLines, Thresholds: thresholds,
		Customer: domain.Customer{Name: d.CustomerName, Domain: d.CustomerDomain, Country: d.CustomerCountry}})
}

// KindRefused says why the partner's program does not let it register a
// deal of this kind (nil when it may), for the API and the console alike
// (the workflow checks again at screening).
func (rd *Reader) KindRefused(ctx context.Context, p web.Principal, kind domain.Kind) (*web.FieldError, error) {
	pp, err := db.LoadPartnerPolicy(ctx, rd.q, p.PartnerID.UUID)
	if err != nil || pp.Policy.AllowsKind(pp.Type, kind) {
		return nil, err
	}
	return &web.FieldError{Field: "kind", Message: "your program does not let " + string(pp.Type) + " partners register " + string(kind) + " deals"}, nil
}

// Cycle reads the cycle id (pgx.ErrNoRows when there is none).
func (rd *Reader) Cycle(ctx context.Context, id uuid.UUID) (dbq.CycleGetRow, error) {
	return rd.q.CycleGet(ctx, id)
}

// CycleDetail is one cycle's full view: its review history, its excluded
// deals, its running workflow's state (nil when it does not answer) and
// finance's approvals.
func (rd *Reader) CycleDetail(ctx context.Context, row dbq.CycleGetRow) (CycleView, error) {
	events, err := rd.q.CycleEvents(ctx, row.ID)
	if err != nil {
		return CycleView{}, err
	}
	v := CycleOf(row)
	v.Events = CycleEventsOf(events)
	if err := rd.WithExcluded(ctx, &v); err != nil {
		return CycleView{}, err
	}
	v.Workflow = rd.CycleState(ctx, row.WorkflowID)
	v.Approvals = CycleApprovals(v)
	return v, nil
}

// Dashboard is the channel managers' pipeline over a period (of one
// program or of all), with won value in one currency.
type Dashboard struct {
	Currency  string
	Filter    Filter
	ByMonth   []dbq.PipelineByMonthRow
	ByPartner []dbq.PipelineByPartnerRow
	ByTier    []dbq.PipelineByTierRow
}

// Pipeline reads registrations, approvals and won value (in cur) by
// month, partner and tier from the rollups, over f's months and program.
func (rd *Reader) Pipeline(ctx context.Context, cur string, f Filter) (Dashboard, error) {
	d := Dashboard{Currency: cur, Filter: f}
	since, until := f.Period.From, f.Period.To
	var err error
	if d.ByMonth, err = rd.q.PipelineByMonth(ctx, dbq.PipelineByMonthParams{Currency: cur, ProgramID: f.Program, SinceMonth: since,
		UntilMonth: until}); err != nil {
		return d, err
	}
	if d.ByPartner, err = rd.q.PipelineByPartner(ctx, dbq.PipelineByPartnerParams{Currency: cur, ProgramID: f.Program,
		SinceMonth: since, UntilMonth: until}); err != nil {
		return d, err
	}
	d.ByTier, err = rd.q.PipelineByTier(ctx, dbq.PipelineByTierParams{Currency: cur, ProgramID: f.Program, SinceMonth: since,
		UntilMonth: until})
	return d, err
}

// PipelineChoices are what the dashboard's pickers offer: the currencies
// the rollups hold and the partner programs.
func (rd *Reader) PipelineChoices(ctx context.Context) ([]string, []dbq.Program, error) {
	curs, err := rd.q.PipelineCurrencies(ctx)
	if err != nil {
		return nil, nil, err
	}
	programs, err := rd.q.ProgramList(ctx)
	return curs, programs, err
}

// MonthOf is the first day of t's month in UTC: the rollups' months.
func MonthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Deals lists a page of deals (DealListParams scopes them: a partner's
// own organization's), newest first.
func (rd *Reader) Deals(ctx context.Context, p dbq.DealListParams) ([]dbq.Deal, error) {
	return rd.q.DealList(ctx, p)
}

// Inbox lists what awaits channel managers, most urgent first.
func (rd *Reader) Inbox(ctx context.Context, p dbq.DealInboxParams) ([]dbq.Deal, error) {
	return rd.q.DealInbox(ctx, p)
}
