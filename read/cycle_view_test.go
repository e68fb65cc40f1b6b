package read

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/workflows/incentive"
)

// A cycle shows its period one way (finding 17): period_end is the last
// day included, wherever a person reads it; the workflow's exclusive end
// is named period_end_exclusive.
func TestCycleViewPeriodEndConventions(t *testing.T) {
	v := CycleOf(dbq.CycleGetRow{PeriodStart: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	st := incentive.CycleState{PeriodStart: "2026-10-01"}
	if err := json.Unmarshal([]byte(`{"period_start":"2026-10-01","period_end_exclusive":"2026-11-01"}`), &st); err != nil {
		t.Fatal(err)
	}
	v.Workflow = &st
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		PeriodEnd string         `json:"period_end"`
		Workflow  map[string]any `json:"workflow"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.PeriodEnd != "2026-10-31" {
		t.Errorf("period_end %q, want the last day included", got.PeriodEnd)
	}
	if _, ok := got.Workflow["period_end"]; ok {
		t.Errorf("workflow.period_end is shown beside period_end with another meaning: %s", b)
	}
	if got.Workflow["period_end_exclusive"] != "2026-11-01" {
		t.Errorf("workflow.period_end_exclusive %v: %s", got.Workflow["period_end_exclusive"], b)
	}
	if strings.Count(string(b), `"period_end"`) != 1 {
		t.Errorf("period_end appears more than once: %s", b)
	}
}
