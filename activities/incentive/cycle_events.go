package incentive

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// CycleEvent is one decision in a cycle's review, numbered by the workflow
// (Seq), so that recording it again changes nothing.
type CycleEvent struct {
	CycleID    string       `json:"cycle_id"`
	Seq        int          `json:"seq"`
	Type       string       `json:"type"`
	PartnerID  string       `json:"partner_id,omitempty"`
	LineID     string       `json:"line_id,omitempty"`
	Amount     *int64       `json:"amount,omitempty"`
	Actor      domain.Actor `json:"actor"`
	Reason     string       `json:"reason"`
	OccurredAt time.Time    `json:"occurred_at"`
}

// CycleEventResult says what the event touched: the line's partner for an
// adjustment.
type CycleEventResult struct {
	PartnerID string `json:"partner_id,omitempty"`
	Previous  int64  `json:"previous,omitempty"`
}

// RecordCycleEvent appends a review decision to the cycle's history,
// checking first that what it names belongs to the cycle (a line for an
// adjustment, a partner with lines for a hold); an approval also moves the
// cycle's status. Idempotent by (cycle, seq).
func (a *Activities) RecordCycleEvent(ctx context.Context, e CycleEvent) (CycleEventResult, error) {
	id, err := uuid.Parse(e.CycleID)
	if err != nil {
		return CycleEventResult{}, activities.NotFoundError("no cycle %q", e.CycleID)
	}
	var res CycleEventResult
	p := dbq.CycleEventInsertParams{CycleID: id, Seq: int32(e.Seq), Type: e.Type, ActorID: e.Actor.ID, ActorName: e.Actor.Name,
		ActorRole: string(e.Actor.Role), ActorPersonID: activities.PersonID(e.Actor), Reason: e.Reason, OccurredAt: e.OccurredAt}
	if e.Amount != nil {
		p.Amount = pgtype.Int8{Int64: *e.Amount, Valid: true}
	}
	err = db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		if e.LineID != "" {
			lid, err := uuid.Parse(e.LineID)
			if err != nil {
				return activities.NotFoundError("no line %q in this cycle", e.LineID)
			}
			line, err := q.StatementLineInCycle(ctx, dbq.StatementLineInCycleParams{ID: lid, CycleID: id})
			if db.IsNotFound(err) {
				return activities.NotFoundError("no line %s in this cycle", e.LineID)
			}
			if err != nil {
				return err
			}
			p.LineID = uuid.NullUUID{UUID: lid, Valid: true}
			p.PartnerID = uuid.NullUUID{UUID: line.PartnerID, Valid: true}
			res.PartnerID, res.Previous = line.PartnerID.String(), line.Amount
		}
		if e.PartnerID != "" && e.LineID == "" {
			pid, err := uuid.Parse(e.PartnerID)
			if err != nil {
				return activities.NotFoundError("no partner %q in this cycle", e.PartnerID)
			}
			has, err := q.CyclePartnerHasLines(ctx, dbq.CyclePartnerHasLinesParams{CycleID: id, PartnerID: pid})
			if err != nil {
				return err
			}
			if !has {
				return activities.NotFoundError("partner %s has no lines in this cycle", e.PartnerID)
			}
			p.PartnerID = uuid.NullUUID{UUID: pid, Valid: true}
			res.PartnerID = e.PartnerID
		}
		if _, err := q.CycleEventInsert(ctx, p); err != nil {
			return err
		}
		if e.Type == domain.CycleEventApproved {
			return q.CycleMarkApproved(ctx, dbq.CycleMarkApprovedParams{ID: id, At: ts(e.OccurredAt),
				ApprovedBy: pgtype.Text{String: e.Actor.ID, Valid: true}})
		}
		return nil
	})
	return res, err
}

// CyclePayout is what a cycle pays out as its lines stand: each partner's
// net after finance's adjustments, when positive, summed. The workflow
// compares it with the program's threshold for a second approval.
func (a *Activities) CyclePayout(ctx context.Context, cycleID string) (int64, error) {
	id, err := uuid.Parse(cycleID)
	if err != nil {
		return 0, activities.NotFoundError("no cycle %q", cycleID)
	}
	return dbq.New(a.Pool).CyclePayout(ctx, id)
}
