package e2e

import (
	"net/http"
	"testing"
)

// cycleReady reports whether the cycle at path (/v1/cycles/{id}) is in
// review both in its row and in its workflow: the row says in review a
// moment before the workflow takes review steps, and a step sent in
// between is refused as "freezing, not in review".
func cycleReady(t *testing.T, path, role string) bool {
	t.Helper()
	r := call(t, http.MethodGet, path, stack.tokens[role], nil)
	wf, _ := r.body["workflow"].(map[string]any)
	return r.str("status") == "in_review" && wf != nil && wf["stage"] == "in_review"
}
