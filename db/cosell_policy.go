package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// CoSellPolicyForDeal returns the co-sell policy a new engagement on deal
// dealID starts with: the latest version of its program's (the default
// program's when the deal names none), else domain.DefaultCoSellPolicy.
func CoSellPolicyForDeal(ctx context.Context, q *dbq.Queries, dealID uuid.UUID) (domain.CoSellPolicy, error) {
	row, err := q.CoSellPolicyForDeal(ctx, dealID)
	return coSellPolicy(row, err)
}

// CoSellPolicyVersion returns program programID's current co-sell policy
// and the stored version it comes from, with who set it, when and why (a
// zero row, version 0, when never set: the built-in default).
func CoSellPolicyVersion(ctx context.Context, q *dbq.Queries, programID uuid.UUID) (domain.CoSellPolicy, dbq.CosellPolicy, error) {
	row, err := q.CoSellPolicyLatest(ctx, programID)
	if IsNotFound(err) {
		row = dbq.CosellPolicy{}
	}
	p, err := coSellPolicy(row, err)
	return p, row, err
}

// SetCoSellPolicy stores p (checked and normalized: steps.CoSellPolicyRequest)
// as program programID's next co-sell policy version, recording who set it
// (by), when (at) and why (reason). The API's PUT
// /v1/programs/{id}/cosell-policy and the console's co-sell policy form
// both save through it. Two changes at once cannot take the same version:
// the second fails with a unique violation (IsUniqueViolation), which
// callers answer as a conflict.
func SetCoSellPolicy(ctx context.Context, q *dbq.Queries, programID uuid.UUID, by domain.Actor, at time.Time, reason string, p domain.CoSellPolicy) (dbq.CosellPolicy, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return dbq.CosellPolicy{}, err
	}
	return q.CoSellPolicyInsert(ctx, dbq.CoSellPolicyInsertParams{ProgramID: programID, Policy: b, SetBy: by.ID, SetByName: by.Name,
		Reason: reason, CreatedAt: at})
}

func coSellPolicy(row dbq.CosellPolicy, err error) (domain.CoSellPolicy, error) {
	if IsNotFound(err) {
		return domain.DefaultCoSellPolicy(), nil
	}
	if err != nil {
		return domain.CoSellPolicy{}, err
	}
	var p domain.CoSellPolicy
	if err := json.Unmarshal(row.Policy, &p); err != nil {
		return p, fmt.Errorf("co-sell policy of program %s v%d: %w", row.ProgramID, row.Version, err)
	}
	return p, nil
}
