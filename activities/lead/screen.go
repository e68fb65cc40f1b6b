package lead

import (
	"context"
	"fmt"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/google/uuid"
)

// ScreenInput names a referred lead to screen.
type ScreenInput struct {
	LeadID    string    `json:"lead_id"`
	PartnerID string    `json:"partner_id,omitempty"`
	Lead      lead.Lead `json:"lead"`
}

// LeadScreen looks for conflicts on a referred lead with the conflict engine
// registrations use (internal/conflicts), leaving out the referring
// partner's own claims. It only reads.
func (a *Activities) LeadScreen(ctx context.Context, in ScreenInput) ([]domain.Conflict, error) {
	id, err := uuid.Parse(in.LeadID)
	if err != nil {
		return nil, activities.InvalidDataError("lead id: %v", err)
	}
	finder := a.Conflicts
	if finder == nil {
		finder = conflicts.Engine{Pool: a.Pool}
	}
	found, err := finder.FindConflicts(ctx, conflicts.Query{DealID: id, ExcludePartner: nullID(in.PartnerID),
		Customer: in.Lead.Company, ProductLines: in.Lead.ProductLines, Thresholds: domain.DefaultMatchThresholds})
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	return found, nil
}
