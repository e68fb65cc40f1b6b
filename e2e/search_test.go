package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/dealflow/dealflow/workflows/deal"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Operators find deals with Temporal's own tools: the workflow keeps its
// search attributes (status, partner, amount, currency) current, so a
// visibility query by status and partner finds an approved deal.
func TestSearchAttributesKeptCurrent(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", stack.tokens["manager"], nil).must(t, http.StatusOK)

	c, err := client.Dial(client.Options{HostPort: stack.temporal, Logger: testenv.QuietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	query := fmt.Sprintf(`WorkflowId = %q AND DealStatus = "approved" AND DealPartnerId = %q AND DealAmount = 1250000 AND DealCurrency = "USD"`,
		deal.WorkflowID(id), stack.partnerA)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatalf("list %s: %v", query, err)
		}
		if len(resp.Executions) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("visibility never found the approved deal with %s", query)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
