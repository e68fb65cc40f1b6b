package read

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// AttributionView is a won deal's attribution in a statement line's
// explanation: who sourced it and what influenced it, each influence with
// its evidence and in words.
type AttributionView struct {
	SourcedBy string `json:"sourced_by"`
	// RecordedAt is when the win recorded it; absent for a deal won before
	// attribution was recorded (computed when read).
	RecordedAt *time.Time      `json:"recorded_at,omitempty"`
	Influences []InfluenceView `json:"influences"`
	// Text says it in one line: "sourced by partner; co-sell engagement E
	// (proof_of_concept) accepted by Sam Seller (sam@vendor.example) on ...".
	Text string `json:"text"`
}

// InfluenceView is one influence of a deal's attribution.
type InfluenceView struct {
	domain.Influence
	Text string `json:"text"`
}

// attributions reads the attribution of each deal in ids (deals the caller
// already read within its scope: a statement line's).
func (rd *Reader) attributions(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*AttributionView, error) {
	out := make(map[uuid.UUID]*AttributionView, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := rd.q.DealAttributionsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		var v AttributionView
		if err := json.Unmarshal(r.Attribution, &v); err != nil {
			return nil, fmt.Errorf("attribution of deal %s: %w", r.DealID, err)
		}
		ins := make([]domain.Influence, len(v.Influences))
		for i := range v.Influences {
			v.Influences[i].Text = domain.DescribeInfluence(v.Influences[i].Influence)
			ins[i] = v.Influences[i].Influence
		}
		v.Text = domain.DescribeAttribution(v.SourcedBy, ins)
		out[r.DealID] = &v
	}
	return out, nil
}
