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
// already read within its scope: a statement line's, of partner). Evidence
// naming another partner (a lead another partner's referral link brought)
// keeps only that it was another partner's: a partner never reads another
// organization's codes.
func (rd *Reader) attributions(ctx context.Context, partner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]*AttributionView, error) {
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
			v.Influences[i].Evidence = ownEvidence(v.Influences[i].Evidence, partner)
			v.Influences[i].Text = domain.DescribeInfluence(v.Influences[i].Influence)
			ins[i] = v.Influences[i].Influence
		}
		v.Text = domain.DescribeAttribution(v.SourcedBy, ins)
		out[r.DealID] = &v
	}
	return out, nil
}

// otherPartnerFields are the evidence fields that name a partner, and
// those that identify its referral link.
var otherPartnerFields = []string{"partner_id", "attributed_partner_id", "referral_code", "code", "click_id"}

// ownEvidence returns evidence as is when every partner it names is
// partner; otherwise without the other partner's identity and codes,
// marked "other_partner": true.
func ownEvidence(evidence json.RawMessage, partner uuid.UUID) json.RawMessage {
	var ev map[string]any
	if json.Unmarshal(evidence, &ev) != nil {
		return evidence
	}
	other := false
	for _, k := range []string{"partner_id", "attributed_partner_id"} {
		if id, ok := ev[k].(string); ok && id != partner.String() {
			other = true
		}
	}
	if !other {
		return evidence
	}
	for _, k := range otherPartnerFields {
		delete(ev, k)
	}
	ev["other_partner"] = true
	out, err := json.Marshal(ev)
	if err != nil {
		return evidence
	}
	return out
}
