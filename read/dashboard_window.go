package read

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
)

// KeepDashboardWindow moves the top partners' kept window (migration
// 00045) to the dashboard's default period at now (LastYear), so that the
// default view ranks partners from an index instead of summing a year of
// partner-months. It is the read layer's one write, and it changes no
// fact: the kept totals are partner_rollups summed over the window, and a
// query over any other window reads partner_rollups as before. It moves
// once a month (the first view of a month moves two months' rows) and is
// otherwise one read of a one-row table; the dashboard calls it before
// reading. It says whether it moved. On a read-only connection (a replica)
// it moves nothing and says so: the top partners then sum partner_rollups.
func (rd *Reader) KeepDashboardWindow(ctx context.Context, now time.Time) (bool, error) {
	p := LastYear(now)
	moved, err := rd.q.PartnerWindowRoll(ctx, dbq.PartnerWindowRollParams{SinceMonth: p.From, UntilMonth: p.To})
	if db.IsReadOnly(err) {
		return false, nil
	}
	return moved, err
}
