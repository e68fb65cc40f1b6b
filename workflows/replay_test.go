package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/dealflow/dealflow/worker"
	sdkworker "go.temporal.io/sdk/worker"
)

// Histories of real runs of every context's workflows, recorded from a dev
// server and committed under testdata/replay, must replay against the
// workflows as the worker registers them (worker.RegisterWorkflows): a
// change that would break running deals or cycles fails here, in CI, not
// in production.
// Record a new one with `bin/temporal workflow show -w deal/<id> -o json`
// (DEALFLOW_RECORD_REPLAY=workflows/testdata/replay makes the e2e rebate
// cycle test record its cycle's history).
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/replay/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no histories under testdata/replay: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}
