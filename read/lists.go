package read

import (
	"context"
	"io"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/exports"
	"github.com/google/uuid"
)

// Cycles lists the latest max cycles.
func (rd *Reader) Cycles(ctx context.Context, max int32) ([]CycleView, error) {
	rows, err := rd.q.CycleList(ctx, max)
	if err != nil {
		return nil, err
	}
	out := make([]CycleView, 0, len(rows))
	for _, r := range rows {
		out = append(out, CycleListOf(r))
	}
	return out, nil
}

// CycleLines reads a page of a cycle's statement lines (p scopes them to
// a partner when set).
func (rd *Reader) CycleLines(ctx context.Context, p dbq.CycleLinesParams) ([]dbq.CycleLinesRow, error) {
	return rd.q.CycleLines(ctx, p)
}

// CycleLinesOf is rows as the API returns them.
func CycleLinesOf(rows []dbq.CycleLinesRow) []CycleLineView {
	out := make([]CycleLineView, 0, len(rows))
	for _, r := range rows {
		out = append(out, CycleLineOf(r))
	}
	return out
}

// Payouts reads a cycle's payouts, one a partner.
func (rd *Reader) Payouts(ctx context.Context, cycleID uuid.UUID) ([]dbq.CyclePayoutsRow, error) {
	return rd.q.CyclePayouts(ctx, cycleID)
}

// Statements lists published statements (p scopes them: a partner's
// own).
func (rd *Reader) Statements(ctx context.Context, p dbq.StatementsForPartnerParams) ([]dbq.StatementsForPartnerRow, error) {
	return rd.q.StatementsForPartner(ctx, p)
}

// VerifyLedger verifies the ledger through w: the entries added since its
// last verification now, the whole ledger every few minutes.
func (rd *Reader) VerifyLedger(ctx context.Context, w *db.LedgerWatch) (domain.LedgerReport, time.Time, error) {
	return w.Verify(ctx, rd.q)
}

// The exports (internal/exports) the API and the console both offer,
// read through the same queries.

// PayoutsCSV writes cycle row's payout file.
func (rd *Reader) PayoutsCSV(ctx context.Context, row dbq.CycleGetRow, w io.Writer) error {
	rows, err := rd.q.CyclePayouts(ctx, row.ID)
	if err != nil {
		return err
	}
	return exports.Payouts(w, row, rows)
}

// StatementLinesCSV writes every line of cycle id.
func (rd *Reader) StatementLinesCSV(ctx context.Context, id uuid.UUID, w io.Writer) error {
	return exports.StatementLines(ctx, rd.q, id, w)
}

// LedgerCSV writes the whole ledger in chain order.
func (rd *Reader) LedgerCSV(ctx context.Context, w io.Writer) error {
	return exports.Ledger(ctx, rd.q, w)
}

// LineDealsCSV writes every deal behind statement line l.
func (rd *Reader) LineDealsCSV(ctx context.Context, l dbq.StatementLineGetRow, w io.Writer) error {
	return exports.LineDeals(ctx, rd.q, l, w)
}

// DashboardTables are the pipeline dashboard's tables that download as CSV
// (DashboardCSV), by the name their download carries.
var DashboardTables = []string{"months", "partners", "tiers"}

// DashboardCSV writes the dashboard table named table (one of
// DashboardTables) of d, as the dashboard shows it.
func DashboardCSV(d Dashboard, table string, w io.Writer) error {
	switch table {
	case "months":
		return exports.PipelineMonths(w, d.Currency, d.ByMonth)
	case "partners":
		return exports.PipelinePartners(w, d.Currency, d.ByPartner)
	}
	return exports.PipelineTiers(w, d.Currency, d.ByTier)
}
