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

// RouteInput asks who is offered a lead next.
type RouteInput struct {
	ProgramID string           `json:"program_id"`
	Facts     domain.LeadFacts `json:"facts"`
	Tried     []string         `json:"tried"`
	N         int              `json:"n"`
}

// RouteResult is who routing chose and by which rule (none: nobody).
type RouteResult struct {
	Partners []string `json:"partners"`
	Rule     string   `json:"rule"`
}

// LeadRoute applies the program's routing rules (domain.Route) to its partners
// as they are now: profiles, capacity and load, round-robin counts, and,
// when the program's policy asks for scorecard weighting, each partner's
// lead scorecard in the program (domain.ApplyScorecard). It only reads;
// the offer it leads to is counted when recorded.
func (a *Activities) LeadRoute(ctx context.Context, in RouteInput) (RouteResult, error) {
	id, err := uuid.Parse(in.ProgramID)
	if err != nil {
		return RouteResult{}, activities.InvalidDataError("program id: %v", err)
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
	rows, err := q.LeadCandidates(ctx, id)
	if err != nil {
		return RouteResult{}, fmt.Errorf("lead candidates: %w", err)
	}
	cands := make([]domain.LeadCandidate, 0, len(rows))
	for _, r := range rows {
		cands = append(cands, domain.LeadCandidate{
			PartnerID: r.PartnerID.String(), Type: domain.PartnerType(r.Type), Tier: r.Tier, Countries: r.Countries,
			ProductLines: r.ProductLines, Tags: r.Tags, Capacity: int(r.Capacity), Open: int(r.Open),
			Weight: int(r.Weight), Assigned: int(r.Assigned),
		})
	}
	policy, err := domain.ParseLeadPolicy(p.LeadPolicy)
	if err != nil {
		return RouteResult{}, activities.InvalidDataError("program %s: %v", id, err)
	}
	if policy.Weighting == domain.WeightScorecard {
		if cands, err = a.scorecardWeights(ctx, q, id, cands, policy); err != nil {
			return RouteResult{}, err
		}
	}
	chosen, rule := domain.Route(rules, in.Facts, cands, in.Tried, in.N)
	return RouteResult{Partners: chosen, Rule: rule}, nil
}

// scorecardWeights scales the candidates' weights by their lead
// scorecards in program id (all time).
func (a *Activities) scorecardWeights(ctx context.Context, q *dbq.Queries, id uuid.UUID, cands []domain.LeadCandidate, p domain.LeadPolicy) ([]domain.LeadCandidate, error) {
	rows, err := q.LeadScorecard(ctx, dbq.LeadScorecardParams{ProgramID: uuid.NullUUID{UUID: id, Valid: true}})
	if err != nil {
		return nil, fmt.Errorf("lead scorecard: %w", err)
	}
	scores := make(map[string]domain.LeadScore, len(rows))
	for _, r := range rows {
		scores[r.PartnerID.String()] = domain.LeadScore{Offered: int(r.Offered), Accepted: int(r.Accepted), Won: int(r.Won),
			MedianToAccept: time.Duration(r.MedianSecondsToAccept * float64(time.Second))}
	}
	return domain.ApplyScorecard(cands, scores, p.AcceptWithin.D()), nil
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
