package incentive

import (
	"context"
	"errors"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Client is how the API, the console and the CLI act on incentive cycles:
// it starts them, sends finance's review steps and waits for their outcome
// (a refusal comes back as one typed *workflows.Refusal), asks a running
// cycle for its state, and makes sure of each program's schedule.
type Client struct {
	workflows.Conn
}

// NewClient returns a Client on c; each call waits at most timeout (0: as
// long as its context allows).
func NewClient(c client.Client, timeout time.Duration) *Client {
	return &Client{workflows.Conn{Temporal: c, Timeout: timeout}}
}

// Start starts the cycle in names (a program and a period) now, rather
// than when the program's schedule fires, and returns its id. A period's
// cycle exists once: starting it again refuses with
// workflows.ErrTypeAlreadyExists.
func (k *Client) Start(ctx context.Context, in CycleInput) (string, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	id := CycleID(in.ProgramID, in.PeriodStart)
	_, err := k.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: CycleWorkflowID(id), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, WorkflowType, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) || temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return id, &workflows.Refusal{Kind: workflows.ErrTypeAlreadyExists, Message: "the cycle for that period was started already"}
	}
	return id, err
}

// Step sends one of finance's review steps — the Update named update
// (UpdateCycleAdjust, UpdateCycleApprove, ...) with its argument — to the
// cycle's workflow and waits until it is recorded; it returns the cycle's
// state. A step the workflow refuses comes back as a *workflows.Refusal,
// as does a cycle whose workflow has ended (workflows.ErrTypeFinished).
func (k *Client) Step(ctx context.Context, workflowID, update string, arg any) (CycleState, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st CycleState
	err := workflows.Update(ctx, k.Temporal, workflowID, update, arg, &st, "the cycle takes no further steps")
	return st, err
}

// Query returns the state of the cycle's running workflow.
func (k *Client) Query(ctx context.Context, workflowID string) (CycleState, error) {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	var st CycleState
	err := workflows.Query(ctx, k.Temporal, workflowID, QueryCycleState, &st)
	return st, err
}

// Program is what a program's schedule is made from.
type Program struct {
	ID, Code  string
	Period    string // month or quarter
	GraceDays int
}

// EnsureSchedule creates the Temporal Schedule that starts program p's
// cycles (CycleScheduler) at 02:00 UTC, grace days after each month or
// quarter ends; an existing schedule is left as it is, and any other
// failure is returned.
func (k *Client) EnsureSchedule(ctx context.Context, p Program) error {
	ctx, cancel := k.Bound(ctx)
	defer cancel()
	cal := client.ScheduleCalendarSpec{
		Second:     []client.ScheduleRange{{Start: 0}},
		Minute:     []client.ScheduleRange{{Start: 0}},
		Hour:       []client.ScheduleRange{{Start: 2}},
		DayOfMonth: []client.ScheduleRange{{Start: p.GraceDays + 1}},
		Month:      []client.ScheduleRange{{Start: 1, End: 12}},
		DayOfWeek:  []client.ScheduleRange{{Start: 0, End: 6}},
	}
	if p.Period == domain.PeriodQuarter {
		cal.Month = []client.ScheduleRange{{Start: 1, End: 10, Step: 3}}
	}
	_, err := k.Temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   CycleScheduleID(p.Code),
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{cal}},
		Action: &client.ScheduleWorkflowAction{
			ID: "cycle-scheduler/" + p.Code, Workflow: SchedulerWorkflowType, TaskQueue: workflows.TaskQueue,
			Args: []any{SchedulerInput{ProgramID: p.ID, Period: p.Period, GraceDays: p.GraceDays}},
		},
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return nil
	}
	return err
}
