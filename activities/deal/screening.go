package deal

import (
	"context"
	"fmt"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/google/uuid"
)

// ScreenInput names the registration to screen.
type ScreenInput struct {
	DealID       string              `json:"deal_id"`
	PartnerID    string              `json:"partner_id"`
	Registration domain.Registration `json:"registration"`
}

// ScreenResult is what screening found: the program that applies, its
// effective policy, and the facts its rules look at.
type ScreenResult struct {
	ProgramID string                `json:"program_id"`
	Policy    domain.Policy         `json:"policy"`
	Facts     domain.ScreeningFacts `json:"facts"`
}

// Screen loads the partner's program and looks for conflicts. It only
// reads, so retrying it is harmless.
func (a *Activities) Screen(ctx context.Context, in ScreenInput) (ScreenResult, error) {
	dealID, err := uuid.Parse(in.DealID)
	if err != nil {
		return ScreenResult{}, fmt.Errorf("deal id: %w", err)
	}
	partnerID, err := uuid.Parse(in.PartnerID)
	if err != nil {
		return ScreenResult{}, fmt.Errorf("partner id: %w", err)
	}
	pp, err := db.LoadPartnerPolicy(ctx, dbq.New(a.Pool), partnerID)
	if err != nil {
		return ScreenResult{}, err
	}
	policy := pp.Policy
	finder := a.Conflicts
	if finder == nil {
		finder = conflicts.Engine{Pool: a.Pool}
	}
	r := in.Registration
	found, err := finder.FindConflicts(ctx, conflicts.Query{
		DealID: dealID, ExcludePartner: uuid.NullUUID{UUID: partnerID, Valid: true},
		Customer: r.Customer, ProductLines: r.ProductLines, Thresholds: policy.Conflict,
	})
	if err != nil {
		return ScreenResult{}, fmt.Errorf("conflicts: %w", err)
	}
	return ScreenResult{
		ProgramID: pp.ProgramID.String(),
		Policy:    policy,
		Facts: domain.ScreeningFacts{
			PartnerType: pp.Type, Tier: pp.Tier, Kind: r.Kind,
			Amount: r.Amount, Currency: r.Currency, RegistrableDomain: r.RegistrableDomain, Conflicts: found,
		},
	}, nil
}
