package activities

import (
	"context"
	"fmt"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// ConflictFinder finds other registrations that name the same customer. It
// is the seam where the conflict engine plugs in; DomainConflicts is the
// built-in exact registrable-domain match.
type ConflictFinder interface {
	FindConflicts(ctx context.Context, q ConflictQuery) ([]domain.Conflict, error)
}

// ConflictQuery describes the registration being screened.
type ConflictQuery struct {
	DealID       uuid.UUID
	PartnerID    uuid.UUID
	Registration domain.Registration
}

// DomainConflicts flags other partners' open registrations of the same
// registrable domain.
type DomainConflicts struct{ Q *dbq.Queries }

// FindConflicts implements ConflictFinder.
func (d DomainConflicts) FindConflicts(ctx context.Context, q ConflictQuery) ([]domain.Conflict, error) {
	rows, err := d.Q.DealConflictsByDomain(ctx, dbq.DealConflictsByDomainParams{
		RegistrableDomain: q.Registration.RegistrableDomain, PartnerID: q.PartnerID, DealID: q.DealID,
	})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Conflict, 0, len(rows))
	for _, r := range rows {
		out = append(out, domain.Conflict{DealID: r.ID.String(), PartnerID: r.PartnerID.String(),
			Status: domain.Status(r.Status), Reason: "same registrable domain " + q.Registration.RegistrableDomain})
	}
	return out, nil
}

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
	q := dbq.New(a.Pool)
	pp, err := q.PartnerProgram(ctx, partnerID)
	if err != nil {
		return ScreenResult{}, fmt.Errorf("partner program: %w", err)
	}
	policy, err := domain.ParsePolicy(pp.Policy)
	if err != nil {
		return ScreenResult{}, fmt.Errorf("program %s: %w", pp.ProgramID, err)
	}
	finder := a.Conflicts
	if finder == nil {
		finder = DomainConflicts{Q: q}
	}
	conflicts, err := finder.FindConflicts(ctx, ConflictQuery{DealID: dealID, PartnerID: partnerID, Registration: in.Registration})
	if err != nil {
		return ScreenResult{}, fmt.Errorf("conflicts: %w", err)
	}
	r := in.Registration
	return ScreenResult{
		ProgramID: pp.ProgramID.String(),
		Policy:    policy,
		Facts: domain.ScreeningFacts{
			PartnerType: domain.PartnerType(pp.Type), Tier: pp.Tier, Kind: r.Kind,
			Amount: r.Amount, Currency: r.Currency, RegistrableDomain: r.RegistrableDomain, Conflicts: conflicts,
		},
	}, nil
}
