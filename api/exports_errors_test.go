package api

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// brokenPipe is a client that went away: every write fails.
type brokenPipe struct{ http.ResponseWriter }

func (brokenPipe) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// A payout file whose writing fails (the client went away) is logged, not
// swallowed (issue 13: _ = WritePayoutsCSV).
func TestPayoutFileWriteFailureIsLogged(t *testing.T) {
	ctx := context.Background()
	own, err := testenv.NewDatabase(ctx, "api_exports")
	if err != nil {
		t.Fatalf("needs PostgreSQL: %v", err)
	}
	t.Cleanup(own.Close)
	q := dbq.New(own.Pool)
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	prog, err := q.IncentiveProgramCreate(ctx, dbq.IncentiveProgramCreateParams{Code: "rebate-x", Name: "Rebate", Kind: "rebate",
		Currency: "USD", Period: "month", GraceDays: 7, StartsOn: start, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.IncentiveProgramVersionCreate(ctx, dbq.IncentiveProgramVersionCreateParams{ProgramID: prog.ID,
		Rules: []byte(`{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500}]}`), CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	id := uuid.New()
	if err := q.CycleOpen(ctx, dbq.CycleOpenParams{ID: id, ProgramID: prog.ID, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
		WorkflowID: "cycle/" + id.String(), StartedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	s := NewServer(config.Config{}, own.Pool, nil, slog.New(slog.NewTextHandler(&logged, nil)))
	c, _ := gin.CreateTestContext(brokenPipe{httptest.NewRecorder()})
	c.Request = httptest.NewRequest(http.MethodGet, "/v1/cycles/"+id.String()+"/payouts.csv", nil)
	c.Params = gin.Params{{Key: "id", Value: id.String()}}
	s.cyclePayoutsCSV(c)
	if !strings.Contains(logged.String(), "broken pipe") {
		t.Fatalf("the payout file's failed write was not logged: %q", logged.String())
	}
}
