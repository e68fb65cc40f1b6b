package read

import (
	"context"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// CycleStepTarget finds the line or partner a review step names in its
// path (line, partner; "" when the step names none) among the cycle's
// lines: it returns "" when it is there, else what is missing. The API and
// the console refuse a step on what the cycle does not hold before the
// cycle's workflow hears of it, so that refused steps never grow its
// history (its recording checks again, within its transaction).
func (r *Reader) CycleStepTarget(ctx context.Context, cycle uuid.UUID, line, partner string) (string, error) {
	if line != "" {
		id, err := uuid.Parse(line)
		if err != nil {
			return "no line in this cycle has that id", nil
		}
		_, err = r.q.StatementLineInCycle(ctx, dbq.StatementLineInCycleParams{ID: id, CycleID: cycle})
		switch {
		case db.IsNotFound(err):
			return "no line " + id.String() + " in this cycle", nil
		case err != nil:
			return "", err
		}
	}
	if partner != "" {
		id, err := uuid.Parse(partner)
		if err != nil {
			return "no partner in this cycle has that id", nil
		}
		has, err := r.q.CyclePartnerHasLines(ctx, dbq.CyclePartnerHasLinesParams{CycleID: cycle, PartnerID: id})
		if err != nil {
			return "", err
		}
		if !has {
			return "partner " + id.String() + " has no lines in this cycle", nil
		}
	}
	return "", nil
}
