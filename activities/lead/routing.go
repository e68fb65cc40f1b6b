package lead

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// ProgramResult is a program's lead policy, resolved (a lead without a
// program takes the default program's).
type ProgramResult struct {
	ProgramID string            `json:"program_id"`
	Policy    domain.LeadPolicy `json:"policy"`
}

// LeadProgram reads the lead's program and its lead policy over the defaults.
// It only reads.
func (a *Activities) LeadProgram(ctx context.Context, programID string) (ProgramResult, error) {
	id := uuid.NullUUID{}
	if programID != "" {
		var err error
		if id.UUID, err = uuid.Parse(programID); err != nil {
			return ProgramResult{}, activities.InvalidDataError("program id: %v", err)
		}
		id.Valid = true
	}
	p, err := dbq.New(a.Pool).LeadProgram(ctx, id)
	if db.IsNotFound(err) {
		return ProgramResult{}, activities.InvalidDataError("no program %s", programID)
	}
	if err != nil {
		return ProgramResult{}, fmt.Errorf("lead program: %w", err)
	}
	policy, err := domain.ParseLeadPolicy(p.LeadPolicy)
	if err != nil {
		return ProgramResult{}, activities.InvalidDataError("program %s: %v", p.ID, err)
	}
	return ProgramResult{ProgramID: p.ID.String(), Policy: policy}, nil
}

// RouteInput asks who is offered lead LeadID in round Round (from 1).
type RouteInput struct {
	LeadID    string           `json:"lead_id"`
	Round     int              `json:"round"`
	ProgramID string           `json:"program_id"`
	Facts     domain.LeadFacts `json:"facts"`
	Tried     []string         `json:"tried"`
	N         int              `json:"n"`
	// At is the workflow's time of routing, kept with the pick.
	At time.Time `json:"at"`
}

// RouteResult is who routing chose and by which rule (none: nobody).
type RouteResult struct {
	Partners []string `json:"partners"`
	Rule     string   `json:"rule"`
}

// LeadRoute applies the program's routing rules (domain.Route) to its partners
// as they are now: profiles, capacity and load, round-robin counts, and,
// when the program's policy asks for scorecard weighting, each partner's
// lead scorecard in the program (domain.ApplyScorecard). It picks and
// counts in one transaction, holding the program's routing lock: the
// chosen partners' round-robin counts go up with the pick, kept in
// lead_route_picks, so leads of a program routed at the same time each see
// the others' picks, and a pick holds room under the partner's capacity
// until its offer is recorded. A round already picked (a retried or
// re-executed routing) is answered with its pick as kept, counted nothing
// more, unless its offer never came and domain.LeadPickHold has passed
// since it was made (a run stopped between pick and offer, resumed or
// reset later): then its counts are taken back and the round is routed
// afresh, as the partners are now. An empty pick (nobody eligible: the
// lead is queued) is neither kept nor counted, so a later offer in the
// same round (a manager's re-offer of the queued lead) routes afresh.
func (a *Activities) LeadRoute(ctx context.Context, in RouteInput) (RouteResult, error) {
	id, err := uuid.Parse(in.ProgramID)
	if err != nil {
		return RouteResult{}, activities.InvalidDataError("program id: %v", err)
	}
	leadID, err := uuid.Parse(in.LeadID)
	if err != nil {
		return RouteResult{}, activities.InvalidDataError("lead id: %v", err)
	}
	if in.Round < 1 {
		return RouteResult{}, activities.InvalidDataError("round %d: rounds count from 1", in.Round)
	}
	q := dbq.New(a.Pool)
	p, err := q.LeadProgram(ctx, uuid.NullUUID{UUID: id, Valid: true})
	if err != nil {
		return RouteResult{}, fmt.Errorf("lead program: %w", err)
	}
	var rules []domain.RoutingRule
	if err := json.Unmarshal(p.LeadRules, &rules); err != nil {
		return RouteResult{}, activities.InvalidDataError("program %s routing rules: %v", id, err)
	}
	policy, err := domain.ParseLeadPolicy(p.LeadPolicy)
	if err != nil {
		return RouteResult{}, activities.InvalidDataError("program %s: %v", id, err)
	}
	var scores map[string]domain.LeadScore
	if policy.Weighting == domain.WeightScorecard {
		// read before the lock: scorecards move with offers decided, not
		// with picks, and the lock is held as briefly as can be.
		if scores, err = leadScores(ctx, q, id); err != nil {
			return RouteResult{}, err
		}
	}
	var res RouteResult
	err = db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		if err := q.LeadRouteLock(ctx, id); err != nil {
			return fmt.Errorf("lead route lock: %w", err)
		}
		round := dbq.LeadRoutePickGetParams{LeadID: leadID, Round: int32(in.Round)}
		pick, err := q.LeadRoutePickGet(ctx, round)
		switch {
		case err == nil:
			stands, err := pickStands(ctx, q, pick, in.At)
			if err != nil {
				return err
			}
			if stands {
				res = RouteResult{Partners: make([]string, 0, len(pick.Partners)), Rule: pick.Rule}
				for _, p := range pick.Partners {
					res.Partners = append(res.Partners, p.String())
				}
				return nil
			}
			if err := q.LeadProfileUnassigned(ctx, pick.Partners); err != nil {
				return fmt.Errorf("lead route pick taken back: %w", err)
			}
			if err := q.LeadRoutePickDelete(ctx, dbq.LeadRoutePickDeleteParams(round)); err != nil {
				return fmt.Errorf("lead route pick taken back: %w", err)
			}
		case !db.IsNotFound(err):
			return fmt.Errorf("lead route pick: %w", err)
		}
		rows, err := q.LeadCandidates(ctx, dbq.LeadCandidatesParams{ProgramID: id, PickedSince: in.At.Add(-domain.LeadPickHold)})
		if err != nil {
			return fmt.Errorf("lead candidates: %w", err)
		}
		cands := make([]domain.LeadCandidate, 0, len(rows))
		for _, r := range rows {
			cands = append(cands, domain.LeadCandidate{
				PartnerID: r.PartnerID.String(), Type: domain.PartnerType(r.Type), Tier: r.Tier, Countries: r.Countries,
				ProductLines: r.ProductLines, Tags: r.Tags, Capacity: int(r.Capacity), Open: int(r.Open),
				Weight: int(r.Weight), Assigned: int(r.Assigned),
			})
		}
		if policy.Weighting == domain.WeightScorecard {
			cands = domain.ApplyScorecard(cands, scores, policy.AcceptWithin.D())
		}
		chosen, rule := domain.Route(rules, in.Facts, cands, in.Tried, in.N)
		res = RouteResult{Partners: chosen, Rule: rule}
		if len(chosen) == 0 {
			return nil
		}
		ids := make([]uuid.UUID, 0, len(chosen))
		for _, s := range chosen {
			p, err := uuid.Parse(s)
			if err != nil {
				return fmt.Errorf("routed partner id: %w", err)
			}
			ids = append(ids, p)
		}
		if err := q.LeadRoutePickInsert(ctx, dbq.LeadRoutePickInsertParams{LeadID: leadID, Round: int32(in.Round),
			Partners: ids, Rule: rule, PickedAt: in.At}); err != nil {
			return fmt.Errorf("lead route pick: %w", err)
		}
		return q.LeadProfileAssigned(ctx, ids)
	})
	if err != nil {
		return RouteResult{}, err
	}
	return res, nil
}

// pickStands reports whether a kept pick is still the round's answer at
// at: its offer is recorded (the round happened as picked), or the pick
// is within domain.LeadPickHold.
func pickStands(ctx context.Context, q *dbq.Queries, pick dbq.LeadRoutePick, at time.Time) (bool, error) {
	if at.Sub(pick.PickedAt) < domain.LeadPickHold {
		return true, nil
	}
	offered, err := q.LeadRoundOffered(ctx, dbq.LeadRoundOfferedParams{LeadID: pick.LeadID, Round: pick.Round})
	if err != nil {
		return false, fmt.Errorf("lead round offered: %w", err)
	}
	return offered, nil
}

// leadScores reads the partners' lead scorecards in program id (all
// time), for scorecard weighting.
func leadScores(ctx context.Context, q *dbq.Queries, id uuid.UUID) (map[string]domain.LeadScore, error) {
	rows, err := q.LeadScorecard(ctx, dbq.LeadScorecardParams{ProgramID: uuid.NullUUID{UUID: id, Valid: true}})
	if err != nil {
		return nil, fmt.Errorf("lead scorecard: %w", err)
	}
	scores := make(map[string]domain.LeadScore, len(rows))
	for _, r := range rows {
		scores[r.PartnerID.String()] = domain.LeadScore{Offered: int(r.Offered), Accepted: int(r.Accepted), Won: int(r.Won),
			MedianToAccept: time.Duration(r.MedianSecondsToAccept * float64(time.Second))}
	}
	return scores, nil
}

// LeadLastSeq is the number of the last event recorded for lead leadID: a
// resumed run of its workflow checks it started from the lead as it is
// now. It only reads.
func (a *Activities) LeadLastSeq(ctx context.Context, leadID string) (int32, error) {
	id, err := uuid.Parse(leadID)
	if err != nil {
		return 0, activities.InvalidDataError("lead id: %v", err)
	}
	l, err := dbq.New(a.Pool).LeadGet(ctx, dbq.LeadGetParams{ID: id})
	if err != nil {
		return 0, fmt.Errorf("lead %s: %w", id, err)
	}
	return l.LastEventSeq, nil
}
