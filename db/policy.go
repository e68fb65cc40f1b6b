package db

import (
	"context"
	"fmt"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// PartnerPolicy is a partner with the program that applies to it (the
// default program when none is set) and that program's effective policy.
type PartnerPolicy struct {
	ProgramID uuid.UUID
	Type      domain.PartnerType
	Tier      string
	Policy    domain.Policy
}

// LoadPartnerPolicy reads a partner's program and parses its policy over
// the defaults: what screening applies and what submission checks.
func LoadPartnerPolicy(ctx context.Context, q *dbq.Queries, partnerID uuid.UUID) (PartnerPolicy, error) {
	pp, err := q.PartnerProgram(ctx, partnerID)
	if err != nil {
		return PartnerPolicy{}, fmt.Errorf("partner program: %w", err)
	}
	policy, err := domain.ParsePolicy(pp.Policy)
	if err != nil {
		return PartnerPolicy{}, fmt.Errorf("program %s: %w", pp.ProgramID, err)
	}
	return PartnerPolicy{ProgramID: pp.ProgramID, Type: domain.PartnerType(pp.Type), Tier: pp.Tier, Policy: policy}, nil
}
