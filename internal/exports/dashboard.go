package exports

import (
	"io"
	"strconv"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/csvout"
)

// The pipeline dashboard's tables as the console shows them: counts, and
// the won value in the dashboard's currency both in minor units and as a
// decimal.

// PipelineMonths writes the dashboard's months: registered, approved, won
// and lost deals, and the won value in cur.
func PipelineMonths(w io.Writer, cur string, rows []dbq.PipelineByMonthRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"month", "registered", "approved", "won_deals", "lost_deals", "won_minor", "won", "currency"})
	for _, r := range rows {
		_ = cw.Write([]string{r.Month.Format("2006-01"), itoa(r.Registered), itoa(r.Approved), itoa(r.WonDeals), itoa(r.LostDeals),
			strconv.FormatInt(r.Won, 10), domain.FormatMinor(r.Won, cur), cur})
	}
	return cw.Flush()
}

// PipelinePartners writes the dashboard's partners (the top ten by won
// value in cur).
func PipelinePartners(w io.Writer, cur string, rows []dbq.PipelineByPartnerRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"partner_id", "partner", "tier", "registered", "approved", "won_minor", "won", "currency"})
	for _, r := range rows {
		_ = cw.Write([]string{r.ID.String(), r.Name, r.Tier, itoa(r.Registered), itoa(r.Approved),
			strconv.FormatInt(r.Won, 10), domain.FormatMinor(r.Won, cur), cur})
	}
	return cw.Flush()
}

// PipelineTiers writes the dashboard's tiers.
func PipelineTiers(w io.Writer, cur string, rows []dbq.PipelineByTierRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"tier", "registered", "approved", "won_minor", "won", "currency"})
	for _, r := range rows {
		_ = cw.Write([]string{r.Tier, itoa(r.Registered), itoa(r.Approved), strconv.FormatInt(r.Won, 10), domain.FormatMinor(r.Won, cur), cur})
	}
	return cw.Flush()
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
