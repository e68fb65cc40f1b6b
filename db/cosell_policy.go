package db

import (
	"context"
	"encoding/json"
	"fmt"

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

// CoSellPolicyOfProgram returns program programID's current co-sell policy
// and its version (0: never set, the built-in default).
func CoSellPolicyOfProgram(ctx context.Context, q *dbq.Queries, programID uuid.UUID) (domain.CoSellPolicy, int32, error) {
	row, err := q.CoSellPolicyLatest(ctx, programID)
	p, err := coSellPolicy(row, err)
	return p, row.Version, err
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
