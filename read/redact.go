package read

import (
	"encoding/json"

	"github.com/dealflow/dealflow/db/dbq"
)

// redactForPartner removes from event payloads what a partner must not
// learn: the other registrations, accounts and opportunities a screening or
// a conflict review involved (their ids, partners and names). A count says
// that there were some. Vendor roles see payloads whole.
func redactForPartner(events []dbq.DealEvent) []dbq.DealEvent {
	out := make([]dbq.DealEvent, len(events))
	for i, e := range events {
		out[i] = e
		var p map[string]any
		if len(e.Payload) == 0 || json.Unmarshal(e.Payload, &p) != nil {
			continue
		}
		changed := stripConflicts(p)
		if facts, ok := p["facts"].(map[string]any); ok && stripConflicts(facts) {
			changed = true
		}
		if changed {
			if b, err := json.Marshal(p); err == nil {
				out[i].Payload = b
			}
		}
	}
	return out
}

func stripConflicts(m map[string]any) bool {
	list, ok := m["conflicts"]
	if !ok {
		return false
	}
	n := 0
	if l, ok := list.([]any); ok {
		n = len(l)
	}
	delete(m, "conflicts")
	m["conflicts_count"] = n
	return true
}
