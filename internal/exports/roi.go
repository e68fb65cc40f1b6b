package exports

import (
	"io"
	"strconv"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/csvout"
)

// ROIWindow is what every ROI file repeats on each row: the currency and
// the window of months (YYYY-MM) its figures cover.
type ROIWindow struct {
	Currency, From, To string
}

// roiFigures are a row's money columns: each amount in minor units and as
// a decimal, and the spend per revenue in basis points (empty: no revenue).
func roiFigures(r domain.ROIRow, cur string) []string {
	ratio := ""
	if r.SpendPerRevenueBP != nil {
		ratio = strconv.FormatInt(*r.SpendPerRevenueBP, 10)
	}
	return []string{strconv.FormatInt(r.Accrued, 10), domain.FormatMinor(r.Accrued, cur),
		strconv.FormatInt(r.Paid, 10), domain.FormatMinor(r.Paid, cur),
		strconv.FormatInt(r.Revenue, 10), domain.FormatMinor(r.Revenue, cur), ratio}
}

var roiFigureHeader = []string{"accrued_minor", "accrued", "paid_minor", "paid", "revenue_minor", "revenue", "spend_per_revenue_bp"}

// ROIPrograms writes the ROI report's programs: spend against the revenue
// their cycles counted, and each lift estimate with why it is not
// estimable when it is not.
func ROIPrograms(w io.Writer, win ROIWindow, rows []domain.ROIProgram) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write(append(append([]string{"program", "name", "kind", "starts_on", "currency", "from", "to"}, roiFigureHeader...),
		"lift_estimable", "lift_reason", "treated_partners", "control_partners", "few_controls", "months_before", "months_after",
		"treated_before", "treated_after", "control_before", "control_after", "lift_per_partner_month", "lift"))
	for _, p := range rows {
		e := p.Lift
		_ = cw.Write(append(append([]string{p.Key, p.Name, p.Kind, p.StartsOn, win.Currency, win.From, win.To}, roiFigures(p.ROIRow, win.Currency)...),
			strconv.FormatBool(e.Estimable), e.Reason, strconv.Itoa(e.TreatedPartners), strconv.Itoa(e.ControlPartners),
			strconv.FormatBool(e.FewControls), strconv.Itoa(e.MonthsBefore), strconv.Itoa(e.MonthsAfter),
			strconv.FormatInt(e.TreatedBefore, 10), strconv.FormatInt(e.TreatedAfter, 10), strconv.FormatInt(e.ControlBefore, 10),
			strconv.FormatInt(e.ControlAfter, 10), strconv.FormatInt(e.LiftPerPartnerMonth, 10), strconv.FormatInt(e.Lift, 10)))
	}
	return cw.Flush()
}

// ROIPartners writes the ROI report's partners: every program's spend on
// each against its won revenue.
func ROIPartners(w io.Writer, win ROIWindow, rows []domain.ROIRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write(append([]string{"partner_id", "partner_name", "tier", "currency", "from", "to"}, roiFigureHeader...))
	for _, r := range rows {
		_ = cw.Write(append([]string{r.Key, r.Name, r.Tier, win.Currency, win.From, win.To}, roiFigures(r, win.Currency)...))
	}
	return cw.Flush()
}

// ROITiers writes the ROI report's tiers (the partners' tiers now).
func ROITiers(w io.Writer, win ROIWindow, rows []domain.ROIRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write(append([]string{"tier", "currency", "from", "to"}, roiFigureHeader...))
	for _, r := range rows {
		_ = cw.Write(append([]string{r.Key, win.Currency, win.From, win.To}, roiFigures(r, win.Currency)...))
	}
	return cw.Flush()
}
