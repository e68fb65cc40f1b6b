package topology

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/google/uuid"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// With SQL visibility a namespace's custom search attributes are aliases of
// visibility's columns, kept in the namespace's record, and the frontend
// checks a workflow start's attributes against its cached copy of that
// record (refreshed every 2 s). The moment `dealflow migrate` has added them
// to a new namespace, a deal's workflow can start with them: migrate waits
// until the frontend knows them, rather than leaving the first submissions
// to fail.
func TestSearchAttributesUsableOnceMigrateReturns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := "topology-" + uuid.NewString()[:8]
	nc, err := client.NewNamespaceClient(client.Options{HostPort: server.Address, Logger: testenv.QuietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if err := nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: ns,
		WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tc, err := client.Dial(client.Options{HostPort: server.Address, Namespace: ns, Logger: testenv.QuietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	// The namespace itself is known to the frontend before migrate runs.
	for {
		_, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("namespace %s never answered: %v", ns, err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	newCluster(ctx, t, ns) // runs `dealflow migrate`, which adds the attributes

	for i := range 3 {
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: fmt.Sprintf("topology-sa-%d", i), TaskQueue: "topology-nobody-polls",
			TypedSearchAttributes: temporal.NewSearchAttributes(
				deal.SearchDealStatus.ValueSet("submitted"),
				deal.SearchDealPartnerID.ValueSet(uuid.NewString()),
				deal.SearchDealAmount.ValueSet(100000),
				deal.SearchDealCurrency.ValueSet("EUR"),
				deal.SearchDealExpiresAt.ValueSet(time.Now().AddDate(0, 3, 0)),
			),
		}, "DealRegistration")
		if err != nil {
			t.Fatalf("start %d right after dealflow migrate: %v", i, err)
		}
		_ = tc.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "test done")
	}
	t.Logf("a workflow starts with dealflow's %d search attributes as soon as `dealflow migrate` has added them to a new namespace on SQL visibility",
		len(deal.SearchAttributes))
}
