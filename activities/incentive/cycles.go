package incentive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"go.temporal.io/sdk/temporal"
)

// OpenCycleInput names an incentive cycle: a program and a period.
type OpenCycleInput struct {
	CycleID     string `json:"cycle_id"`
	ProgramID   string `json:"program_id"`
	PeriodStart string `json:"period_start"` // YYYY-MM-DD
	PeriodEnd   string `json:"period_end"`   // YYYY-MM-DD, excluded
	WorkflowID  string `json:"workflow_id"`
	StartedBy   string `json:"started_by"`
}

// CycleInfo is what the cycle workflow needs to know of its cycle.
type CycleInfo struct {
	CycleID        string `json:"cycle_id"`
	ProgramID      string `json:"program_id"`
	ProgramCode    string `json:"program_code"`
	ProgramVersion int    `json:"program_version"`
	Kind           string `json:"kind"`
	Currency       string `json:"currency"`
	Status         string `json:"status"`
	// SecondApprovalAt is the payout at or above which the cycle needs two
	// finance people's approvals (the rules' or the currency's default).
	SecondApprovalAt int64 `json:"second_approval_at,omitempty"`
}

// OpenCycle records the cycle with the program's latest rules version (the
// version it will compute with, whatever is published later); running it
// again returns the cycle as recorded. A period that ends on or before the
// program's start is refused (non-retryable, nothing recorded), whoever
// started the cycle.
func (a *Activities) OpenCycle(ctx context.Context, in OpenCycleInput) (CycleInfo, error) {
	id, err1 := uuid.Parse(in.CycleID)
	pid, err2 := uuid.Parse(in.ProgramID)
	start, err3 := time.Parse(time.DateOnly, in.PeriodStart)
	end, err4 := time.Parse(time.DateOnly, in.PeriodEnd)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return CycleInfo{}, temporal.NewNonRetryableApplicationError("bad cycle input: "+err.Error(), workflows.ErrTypeInvalidArgument, nil)
	}
	q := dbq.New(a.Pool)
	prog, err := q.IncentiveProgramGet(ctx, pid)
	if db.IsNotFound(err) {
		return CycleInfo{}, activities.NotFoundError("no incentive program %s", in.ProgramID)
	}
	if err != nil {
		return CycleInfo{}, err
	}
	// The API refuses such periods too; a program's schedule (which works
	// out the due period from the time it fires, e.g. the month before a
	// program created mid-month) reaches them only here.
	if why := domain.PeriodBeforeStartProblem(domain.Period{Start: start, End: end}, prog.StartsOn); why != "" {
		return CycleInfo{}, temporal.NewNonRetryableApplicationError(why, workflows.ErrTypeInvalidArgument, nil)
	}
	if err := q.CycleOpen(ctx, dbq.CycleOpenParams{ID: id, ProgramID: pid, PeriodStart: start, PeriodEnd: end,
		WorkflowID: in.WorkflowID, StartedBy: in.StartedBy}); err != nil {
		if db.IsUniqueViolation(err) {
			return CycleInfo{}, temporal.NewNonRetryableApplicationError("the program already has a cycle for that period", workflows.ErrTypeAlreadyExists, err)
		}
		return CycleInfo{}, err
	}
	c, err := q.CycleGet(ctx, id)
	if db.IsNotFound(err) {
		return CycleInfo{}, activities.NotFoundError("no incentive program %s", in.ProgramID)
	}
	if err != nil {
		return CycleInfo{}, err
	}
	return CycleInfo{CycleID: c.ID.String(), ProgramID: c.ProgramID.String(), ProgramCode: c.ProgramCode,
		ProgramVersion: int(c.ProgramVersion), Kind: c.Kind, Currency: c.Currency, Status: c.Status,
		SecondApprovalAt: payoutSecondApprovalAt(c.Kind, c.Currency, c.Rules)}, nil
}

// payoutSecondApprovalAt is the payout at or above which a cycle under
// these rules needs two finance people's approvals. Rules that do not
// parse (they were validated when published) need two, whatever the
// payout: the safe side.
func payoutSecondApprovalAt(kind, currency string, rules []byte) int64 {
	r, err := domain.ParseIncentiveRules(domain.IncentiveKind(kind), rules)
	if err != nil {
		return 0
	}
	return r.PayoutSecondApprovalAt(currency)
}

// AccrueResult summarizes a cycle's statement lines.
type AccrueResult struct {
	Lines    int   `json:"lines"`
	Partners int   `json:"partners"`
	Total    int64 `json:"total"`
	// Payout is what the lines pay out (CyclePayout), read here so that
	// the workflow knows how many approvals it needs as it enters review.
	Payout int64 `json:"payout,omitempty"`
}

// AccrueCycle computes the cycle's statement lines from its frozen inputs
// in one set-based statement for the program's kind (draft_rebate_lines,
// draft_referral_lines, draft_spiff_lines), never a step per deal; a retry returns
// what was computed.
func (a *Activities) AccrueCycle(ctx context.Context, cycleID string) (AccrueResult, error) {
	id, err := uuid.Parse(cycleID)
	if err != nil {
		return AccrueResult{}, activities.NotFoundError("no cycle %q", cycleID)
	}
	err = db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		lock, err := q.CycleLock(ctx, id)
		if db.IsNotFound(err) {
			return activities.NotFoundError("no cycle %s", cycleID)
		}
		if err != nil {
			return err
		}
		if lock.AccruedAt.Valid {
			return nil
		}
		if !lock.FrozenAt.Valid {
			return temporal.NewNonRetryableApplicationError("the cycle's inputs are not frozen", workflows.ErrTypeInvalidTransition, nil)
		}
		c, err := q.CycleGet(ctx, id)
		if err != nil {
			return err
		}
		r, err := domain.ParseIncentiveRules(domain.IncentiveKind(c.Kind), c.Rules)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeInvalidArgument, nil)
		}
		switch domain.IncentiveKind(c.Kind) {
		case domain.IncentiveRebate:
			tiers, _ := json.Marshal(r.Tiers)
			_, err = q.AccrueRebate(ctx, dbq.AccrueRebateParams{CycleID: id, Tiers: tiers, Mode: r.Mode, Currency: c.Currency})
		case domain.IncentiveReferral:
			_, err = q.AccrueReferral(ctx, dbq.AccrueReferralParams{CycleID: id, RateBp: r.RateBP, Cap: r.CapPerDeal, Currency: c.Currency})
		case domain.IncentiveSpiff:
			_, err = q.AccrueSpiff(ctx, dbq.AccrueSpiffParams{CycleID: id, Per: r.Per, Currency: c.Currency})
		}
		if err != nil {
			return fmt.Errorf("accrue %s: %w", c.Kind, err)
		}
		return q.CycleMarkAccrued(ctx, dbq.CycleMarkAccruedParams{ID: id, At: ts(a.now())})
	})
	if err != nil {
		return AccrueResult{}, err
	}
	if err := analyze(ctx, a, "statement_lines"); err != nil {
		return AccrueResult{}, err
	}
	c, err := dbq.New(a.Pool).CycleGet(ctx, id)
	if err != nil {
		return AccrueResult{}, err
	}
	payout, err := a.CyclePayout(ctx, cycleID)
	if err != nil {
		return AccrueResult{}, err
	}
	return AccrueResult{Lines: int(c.Lines), Partners: int(c.Partners), Total: c.Total, Payout: payout}, nil
}

func ts(t time.Time) pgtype.Timestamptz { return pgtype.Timestamptz{Time: t.UTC(), Valid: true} }

// analyze refreshes the planner's statistics of tables a step has just
// filled, so that the next steps' queries are not planned for the tables
// as they were (which turned a one-second accrual and a two-second payout
// run into minutes at a million deals). A sample of 3,000 rows (statistics
// target 10) gives the row counts and spreads those queries plan on at a
// tenth of the default's cost.
func analyze(ctx context.Context, a *Activities, tables ...string) error {
	return pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL default_statistics_target = 10"); err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.Exec(ctx, "ANALYZE "+t); err != nil {
				return fmt.Errorf("analyze %s: %w", t, err)
			}
		}
		return nil
	})
}
