// Package exports writes dealflow's CSV files in one place: the
// accounts-payable payout file, a cycle's statement lines, the deals behind
// a statement line and the ledger. The API and the console serve them, the
// CLI prints the ledger, the payout activity writes the payout file; all
// through these functions and the one CSV writer (internal/csvout), so no
// file can hand a spreadsheet a formula and each file has one format.
package exports

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/csvout"
	"github.com/google/uuid"
)

// pageSize is how many rows an export reads at a time.
const pageSize = 5000

// Payouts writes a cycle's payouts in the accounts-payable file format:
// one row per partner, amounts in minor units and as decimals.
func Payouts(w io.Writer, c dbq.CycleGetRow, rows []dbq.CyclePayoutsRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"payout_id", "cycle_id", "program", "period_start", "period_end", "partner_id", "partner_name",
		"amount_minor", "amount", "currency", "status", "lines", "first_ledger_seq", "last_ledger_seq", "posted_at"})
	for _, p := range rows {
		first, last := "", ""
		if p.FirstSeq.Valid {
			first, last = strconv.FormatInt(p.FirstSeq.Int64, 10), strconv.FormatInt(p.LastSeq.Int64, 10)
		}
		_ = cw.Write([]string{p.ID.String(), c.ID.String(), c.ProgramCode, c.PeriodStart.Format(time.DateOnly),
			c.PeriodEnd.AddDate(0, 0, -1).Format(time.DateOnly), p.PartnerID.String(), p.PartnerName,
			strconv.FormatInt(p.Amount, 10), domain.FormatMinor(p.Amount, p.Currency), p.Currency, p.Status,
			strconv.Itoa(int(p.Lines)), first, last, p.PostedAt.UTC().Format(time.RFC3339)})
	}
	return cw.Flush()
}

// StatementLines writes every line of cycle cycleID, after finance's
// adjustments (amount) beside what was computed, page by page.
func StatementLines(ctx context.Context, q *dbq.Queries, cycleID uuid.UUID, w io.Writer) error {
	p := dbq.CycleLinesParams{CycleID: cycleID, MaxRows: pageSize}
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"line_id", "cycle_id", "partner_id", "line_no", "kind", "deal_id", "basis", "deals", "rate_bp", "tier",
		"computed_amount", "amount", "currency", "detail", "reverses_line_id"})
	for {
		rows, err := q.CycleLines(ctx, p)
		if err != nil {
			return err
		}
		for _, r := range rows {
			deal, rate, tier, reverses := "", "", "", ""
			if r.DealID.Valid {
				deal = r.DealID.UUID.String()
			}
			if r.RateBp.Valid {
				rate = strconv.FormatInt(r.RateBp.Int64, 10)
			}
			if r.Tier.Valid {
				tier = strconv.Itoa(int(r.Tier.Int32) + 1) // tiers count from 1 for people
			}
			if r.ReversesLineID.Valid {
				reverses = r.ReversesLineID.UUID.String()
			}
			_ = cw.Write([]string{r.ID.String(), cycleID.String(), r.PartnerID.String(), strconv.Itoa(int(r.LineNo)), r.Kind, deal,
				strconv.FormatInt(r.Basis, 10), strconv.Itoa(int(r.Deals)), rate, tier, strconv.FormatInt(r.Amount, 10),
				strconv.FormatInt(r.EffectiveAmount, 10), r.Currency, r.Detail, reverses})
		}
		if len(rows) < int(p.MaxRows) {
			return cw.Flush()
		}
		p.AfterPartner, p.AfterLine = rows[len(rows)-1].PartnerID, rows[len(rows)-1].LineNo
	}
}

// LineDeals writes every deal behind statement line l (read within the
// caller's scope), page by page.
func LineDeals(ctx context.Context, q *dbq.Queries, l dbq.StatementLineGetRow, w io.Writer) error {
	p := db.LineInputsParams(l, pageSize)
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"line_id", "deal_id", "customer", "input", "closed_on", "amount", "previous_amount", "currency", "units",
		"earned", "note"})
	for {
		rows, err := q.StatementLineInputs(ctx, p)
		if err != nil {
			return err
		}
		for _, r := range rows {
			prev, earned := "", ""
			if r.PreviousAmount.Valid {
				prev = strconv.FormatInt(r.PreviousAmount.Int64, 10)
			}
			if r.Earned.Valid {
				earned = strconv.FormatInt(r.Earned.Int64, 10)
			}
			_ = cw.Write([]string{l.ID.String(), r.DealID.String(), r.CustomerName, r.Kind, r.ClosedOn.Format(time.DateOnly),
				strconv.FormatInt(r.Amount, 10), prev, r.Currency, strconv.FormatInt(r.Units, 10), earned, r.Note.String})
		}
		if len(rows) < int(p.MaxRows) {
			return cw.Flush()
		}
		p.AfterClosed, p.AfterDeal = rows[len(rows)-1].ClosedOn, rows[len(rows)-1].DealID
	}
}

// LedgerHeader names the ledger file's columns.
var LedgerHeader = []string{"seq", "entry_key", "posted_at", "cycle_id", "partner_id", "line_id", "account", "debit", "credit",
	"currency", "reverses_seq", "memo", "prev_hash", "hash"}

// LedgerRecord is one entry as a ledger file's row: every field its hash
// covers, so that the chain re-verifies from the file (each cell restored
// with csvout.Restore; an empty reverses_seq is 0).
func LedgerRecord(e domain.LedgerEntry) []string {
	rev := ""
	if e.ReversesSeq != 0 {
		rev = strconv.FormatInt(e.ReversesSeq, 10)
	}
	return []string{strconv.FormatInt(e.Seq, 10), e.Key, e.PostedAt.UTC().Format(time.RFC3339Nano), e.CycleID, e.PartnerID,
		e.LineID, e.Account, strconv.FormatInt(e.Debit, 10), strconv.FormatInt(e.Credit, 10), e.Currency, rev, e.Memo,
		e.PrevHash, e.Hash}
}

// Ledger writes every ledger entry in chain order, with the hashes that
// let anyone re-verify the chain from the file alone.
func Ledger(ctx context.Context, q *dbq.Queries, w io.Writer) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write(LedgerHeader)
	after := int64(0)
	for {
		rows, err := q.LedgerExport(ctx, dbq.LedgerExportParams{AfterSeq: after, MaxRows: pageSize})
		if err != nil {
			return err
		}
		for _, r := range rows {
			e := db.LedgerEntryOf(r)
			_ = cw.Write(LedgerRecord(e))
			after = e.Seq
		}
		if len(rows) < pageSize {
			return cw.Flush()
		}
	}
}
