package read

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/google/uuid"
)

// ROIMaxMonths is the longest window the ROI report reads.
const ROIMaxMonths = 60

// ROIQuery is the ROI report's filter: one currency, a window of whole
// months From through To (each the first of its month, UTC).
type ROIQuery struct {
	Currency string
	From, To time.Time
}

// ParseROIQuery reads the report's filter from the query string's
// currency (default USD), from and to (YYYY-MM; default the twelve months
// ending with the current one), refusing what it cannot read per field.
func ParseROIQuery(currency, from, to string, now time.Time) (ROIQuery, []web.FieldError) {
	var errs []web.FieldError
	q := ROIQuery{Currency: strings.ToUpper(strings.TrimSpace(currency))}
	if q.Currency == "" {
		q.Currency = "USD"
	}
	if !domain.ValidCurrency(q.Currency) {
		errs = append(errs, web.FieldError{Field: "currency", Message: "must be an ISO 4217 currency code such as EUR"})
	}
	month := func(field, v string, def time.Time) time.Time {
		if v == "" {
			return def
		}
		t, err := time.Parse(monthLayout, v)
		if err != nil {
			errs = append(errs, web.FieldError{Field: field, Message: "must be a month, YYYY-MM"})
		}
		return t
	}
	this := MonthOf(now)
	q.To = month("to", to, this)
	q.From = month("from", from, q.To.AddDate(0, -11, 0))
	if len(errs) == 0 {
		switch n := monthsBetween(q.From, q.To) + 1; {
		case n < 1:
			errs = append(errs, web.FieldError{Field: "from", Message: "must not be after to"})
		case n > ROIMaxMonths:
			errs = append(errs, web.FieldError{Field: "from", Message: "the window may hold at most 60 months"})
		}
	}
	return q, errs
}

// monthsBetween is how many months b lies after a (both firsts of months).
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// ROIView is the return on incentive spend in one currency over a window:
// per program (with its lift estimate), per partner and per tier, and the
// method and caveats of the estimate.
type ROIView struct {
	Currency string `json:"currency"`
	From     string `json:"from"`
	To       string `json:"to"`
	// Months are the window's months (YYYY-MM), the axis of each
	// estimate's monthly means.
	Months   []string            `json:"months"`
	Programs []domain.ROIProgram `json:"programs"`
	Partners []domain.ROIRow     `json:"partners"`
	Tiers    []domain.ROIRow     `json:"tiers"`
	Method   string              `json:"method"`
	Caveats  []string            `json:"caveats"`
}

// ROI reads the spend, revenue and lift of every program paying in
// q.Currency, and every partner's and tier's spend against its won
// revenue. Spend is attributed to the month its cycle's period starts in;
// revenue to the month of the deal's close date. Vendor staff only.
func (rd *Reader) ROI(ctx context.Context, q ROIQuery) (ROIView, error) {
	toEnd := q.To.AddDate(0, 1, 0)
	v := ROIView{Currency: q.Currency, From: q.From.Format(monthLayout), To: q.To.Format(monthLayout),
		Method: domain.ROIMethod, Caveats: domain.ROICaveats}
	months := monthsBetween(q.From, q.To) + 1
	for m := range months {
		v.Months = append(v.Months, q.From.AddDate(0, m, 0).Format(monthLayout))
	}
	programs, err := rd.q.ROIPrograms(ctx, q.Currency)
	if err != nil {
		return v, err
	}
	spend, err := rd.q.ROISpend(ctx, dbq.ROISpendParams{Currency: q.Currency, FromMonth: q.From, ToEnd: toEnd})
	if err != nil {
		return v, err
	}
	monthly, err := rd.q.ROIMonthlyRevenue(ctx, dbq.ROIMonthlyRevenueParams{Currency: q.Currency, FromMonth: q.From, ToEnd: toEnd})
	if err != nil {
		return v, err
	}
	treated, err := rd.q.ROITreated(ctx, dbq.ROITreatedParams{Currency: q.Currency, ToEnd: toEnd})
	if err != nil {
		return v, err
	}

	// Each partner's monthly series over the window, and its total.
	series := map[uuid.UUID][]int64{}
	for _, r := range monthly {
		s := series[r.PartnerID]
		if s == nil {
			s = make([]int64, months)
			series[r.PartnerID] = s
		}
		if i := monthsBetween(q.From, r.Month); i >= 0 && i < months {
			s[i] += r.Revenue
		}
	}
	partners := map[uuid.UUID]*domain.ROIRow{}
	partner := func(id uuid.UUID) *domain.ROIRow {
		if partners[id] == nil {
			partners[id] = &domain.ROIRow{Key: id.String()}
		}
		return partners[id]
	}
	for id, s := range series {
		for _, x := range s {
			partner(id).Revenue += x
		}
	}
	byProgram := map[uuid.UUID]*domain.ROIRow{}
	for _, p := range programs {
		byProgram[p.ID] = &domain.ROIRow{Key: p.Code, Name: p.Name}
	}
	for _, r := range spend {
		if p := byProgram[r.ProgramID]; p != nil {
			p.Accrued += r.Accrued
			p.Paid += r.Paid
			p.Revenue += r.CountedRevenue
		}
		pr := partner(r.PartnerID)
		pr.Accrued += r.Accrued
		pr.Paid += r.Paid
	}
	inProgram := map[uuid.UUID]map[uuid.UUID]bool{}
	for _, t := range treated {
		if inProgram[t.ProgramID] == nil {
			inProgram[t.ProgramID] = map[uuid.UUID]bool{}
		}
		inProgram[t.ProgramID][t.PartnerID] = true
	}

	// Partners sorted by id, so that every panel is in one order.
	ids := make([]uuid.UUID, 0, len(series))
	for id := range series {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, p := range programs {
		in := DiDPanel(q.From, months, p.StartsOn, ids, series, inProgram[p.ID])
		v.Programs = append(v.Programs, domain.ROIProgram{ROIRow: byProgram[p.ID].WithRatio(), Kind: p.Kind,
			StartsOn: p.StartsOn.Format(time.DateOnly), Lift: domain.DifferenceInDifferences(in)})
	}

	named := make([]uuid.UUID, 0, len(partners))
	for id := range partners {
		named = append(named, id)
	}
	rows, err := rd.q.ROIPartners(ctx, named)
	if err != nil {
		return v, err
	}
	tiers := map[string]*domain.ROIRow{}
	for _, r := range rows {
		pr := partners[r.ID]
		pr.Name, pr.Tier = r.Name, r.Tier
		v.Partners = append(v.Partners, pr.WithRatio())
		key := strings.ToLower(r.Tier)
		if tiers[key] == nil {
			tiers[key] = &domain.ROIRow{Key: key, Name: key}
		}
		t := tiers[key]
		t.Accrued, t.Paid, t.Revenue = t.Accrued+pr.Accrued, t.Paid+pr.Paid, t.Revenue+pr.Revenue
	}
	for _, t := range tiers {
		v.Tiers = append(v.Tiers, t.WithRatio())
	}
	bySpend := func(a, b domain.ROIRow) int {
		return cmp.Or(cmp.Compare(b.Accrued, a.Accrued), cmp.Compare(b.Revenue, a.Revenue), strings.Compare(a.Name, b.Name), strings.Compare(a.Key, b.Key))
	}
	slices.SortStableFunc(v.Partners, bySpend)
	slices.SortStableFunc(v.Tiers, bySpend)
	v.Programs, v.Partners, v.Tiers = nonNil(v.Programs), nonNil(v.Partners), nonNil(v.Tiers)
	return v, nil
}

// DiDPanel builds a program's panel over the window of months months from
// from: its treated partners (every partner in the program, a series of
// zeros for one without won revenue in the window) and its controls (every
// other partner with won revenue in the window), each in the order of ids
// then of the treated set's ids; the start is the month of startsOn.
func DiDPanel(from time.Time, months int, startsOn time.Time, ids []uuid.UUID, series map[uuid.UUID][]int64, treated map[uuid.UUID]bool) domain.DiDInput {
	in := domain.DiDInput{Start: monthsBetween(from, MonthOf(startsOn))}
	for _, id := range ids {
		if !treated[id] {
			in.Control = append(in.Control, series[id])
		}
	}
	members := make([]uuid.UUID, 0, len(treated))
	for id := range treated {
		members = append(members, id)
	}
	slices.SortFunc(members, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, id := range members {
		s := series[id]
		if s == nil {
			s = make([]int64, months)
		}
		in.Treated = append(in.Treated, s)
	}
	return in
}

// nonNil makes an empty table a JSON [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
