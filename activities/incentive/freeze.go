package incentive

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"
)

// DefaultFreezeParts is how many connections a freeze reads the deals
// table on when Activities.FreezeParts is not set.
const DefaultFreezeParts = 2

// FreezeResult counts the inputs a cycle froze.
type FreezeResult struct {
	Inputs   int              `json:"inputs"`
	Excluded []ExcludedInputs `json:"excluded,omitempty"`
	Window   [2]string        `json:"window"`
}

// ExcludedInputs reports deals a cycle froze but does not pay, by reason.
type ExcludedInputs struct {
	Reason string `json:"reason"`
	Deals  int    `json:"deals"`
	Amount int64  `json:"amount"`
}

// FreezeCycle records the cycle's lineage, set-based: the closed-won deals
// it pays on (with what each earns in a per-deal program) and the later
// changes of deals earlier cycles paid. It holds the program's freeze lock
// throughout, so that no two cycles of a program freeze at once on any
// worker and none freezes a deal an earlier one froze; a worker runs one
// freeze at a time. The won deals are staged on FreezeParts connections
// in parallel, each reading a range of the deals table's blocks in one
// shared snapshot, then indexed by deal on one connection while summed per
// partner on another; one transaction then finishes the freeze
// (finishFreeze). Until it commits nothing is in the lineage (a retry
// drops what a failed attempt staged); once it has, a retry returns what
// was frozen.
func (a *Activities) FreezeCycle(ctx context.Context, cycleID string) (FreezeResult, error) {
	id, err := uuid.Parse(cycleID)
	if err != nil {
		return FreezeResult{}, activities.NotFoundError("no cycle %q", cycleID)
	}
	a.freezeOnce.Do(func() { a.freezing = make(chan struct{}, 1) })
	select {
	case a.freezing <- struct{}{}:
		defer func() { <-a.freezing }()
	case <-ctx.Done():
		return FreezeResult{}, ctx.Err()
	}
	conn, err := a.Pool.Acquire(ctx)
	if err != nil {
		return FreezeResult{}, err
	}
	defer conn.Release()
	q := dbq.New(conn)
	c, err := q.CycleGet(ctx, id)
	if db.IsNotFound(err) {
		return FreezeResult{}, activities.NotFoundError("no cycle %s", cycleID)
	}
	if err != nil {
		return FreezeResult{}, err
	}
	key := c.ProgramID.String()
	if err := q.FreezeLock(ctx, key); err != nil {
		return FreezeResult{}, err
	}
	defer func() {
		if err := q.FreezeUnlock(context.WithoutCancel(ctx), key); err != nil {
			// Ending the session releases its lock.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	// The cycle as it is now that no other freeze of its program runs.
	if c, err = q.CycleGet(ctx, id); err != nil {
		return FreezeResult{}, err
	}
	rules, err := domain.ParseIncentiveRules(domain.IncentiveKind(c.Kind), c.Rules)
	if err != nil {
		return FreezeResult{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeInvalidArgument, nil)
	}
	from, before := freezeWindow(domain.IncentiveKind(c.Kind), rules, c.StartsOn, c.PeriodEnd)
	res := FreezeResult{Window: [2]string{from.Format(time.DateOnly), before.Format(time.DateOnly)}}
	if c.FrozenAt.Valid {
		return frozenResult(ctx, q, c, res)
	}
	if err := q.FreezeStage(ctx, id); err != nil {
		return res, fmt.Errorf("stage inputs: %w", err)
	}
	if from.Before(before) {
		kind := domain.KindResale
		if c.Kind == string(domain.IncentiveReferral) {
			kind = domain.KindReferral
		}
		lines := rules.ProductLines
		if lines == nil {
			lines = []string{}
		}
		p := dbq.FreezeWonPartParams{CycleID: id, ProgramID: c.ProgramID, Kind: c.Kind, Rules: c.Rules, Currency: c.Currency,
			ClosedFrom: from, ClosedBefore: before, DealKind: string(kind), ProductLines: lines}
		parts := a.FreezeParts
		if parts <= 0 {
			parts = DefaultFreezeParts
		}
		if err := a.stageWon(ctx, conn, p, parts); err != nil {
			return res, fmt.Errorf("freeze won deals: %w", err)
		}
	}
	if err := a.indexAndSum(ctx, conn, id); err != nil {
		return res, fmt.Errorf("index staged inputs: %w", err)
	}
	if res, err = finishFreeze(ctx, conn, c, res); err != nil {
		return FreezeResult{}, err
	}
	return res, analyze(ctx, a, "cycle_partner_totals")
}

// finishFreeze marks the cycle frozen and, in the same transaction,
// freezes the changes of deals earlier cycles paid, cuts a SPIFF's claims
// where its budget runs out, attaches the staged inputs as the cycle's
// partition and writes each partner's totals (freeze_finish); it counts
// what was frozen into res.
func finishFreeze(ctx context.Context, conn *pgxpool.Conn, c dbq.CycleGetRow, res FreezeResult) (FreezeResult, error) {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := q.CycleMarkFrozen(ctx, c.ID); err != nil {
			return err
		}
		if err := q.SetLocalWorkMem(ctx); err != nil {
			return err
		}
		frozen, err := q.FreezeFinish(ctx, dbq.FreezeFinishParams{CycleID: c.ID, ProgramID: c.ProgramID, Kind: c.Kind, Rules: c.Rules})
		if err != nil {
			return fmt.Errorf("finish freeze: %w", err)
		}
		excluded, changes := 0, 0
		for _, f := range frozen {
			if f.Kind == "change" {
				changes += int(f.Deals)
			}
			if f.Reason == "" {
				res.Inputs += int(f.Deals)
				continue
			}
			excluded += int(f.Deals)
			res.Excluded = append(res.Excluded, ExcludedInputs{Reason: f.Reason, Deals: int(f.Deals), Amount: f.Amount})
		}
		return q.CycleSetInputCounts(ctx, dbq.CycleSetInputCountsParams{ID: c.ID, Inputs: int32(res.Inputs), ExcludedInputs: int32(excluded),
			ChangeInputs: int32(changes)})
	})
	return res, err
}

// frozenResult reports what a frozen cycle froze (a retry's answer).
func frozenResult(ctx context.Context, q *dbq.Queries, c dbq.CycleGetRow, res FreezeResult) (FreezeResult, error) {
	res.Inputs = int(c.Inputs)
	excluded, err := q.CycleExcludedInputs(ctx, c.ID)
	if err != nil {
		return res, err
	}
	for _, e := range excluded {
		res.Excluded = append(res.Excluded, ExcludedInputs{Reason: e.Reason, Deals: int(e.Deals), Amount: e.Amount})
	}
	return res, nil
}

// snapshotID is the form of pg_export_snapshot's answer.
var snapshotID = regexp.MustCompile(`^[0-9A-F]+-[0-9A-F]+-[0-9]+$`)

// stageWon stages the won deals on parts connections, each reading its
// share of the deals table's blocks; with more than one part, all read the
// snapshot conn's transaction exports, so that each deal is read once
// whatever changes meanwhile.
func (a *Activities) stageWon(ctx context.Context, conn *pgxpool.Conn, p dbq.FreezeWonPartParams, parts int) error {
	part := func(ctx context.Context, tx pgx.Tx, p dbq.FreezeWonPartParams) error {
		q := dbq.New(tx)
		if err := q.SetLocalWorkMem(ctx); err != nil {
			return err
		}
		_, err := q.FreezeWonPart(ctx, p)
		return err
	}
	if parts == 1 {
		p.FirstBlock, p.EndBlock = 0, math.MaxUint32
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return part(ctx, tx, p) })
	}
	blocks, err := dbq.New(conn).DealsBlocks(ctx)
	if err != nil {
		return err
	}
	snap, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer snap.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // ends the exporting transaction
	id, err := dbq.New(snap).ExportSnapshot(ctx)
	if err != nil {
		return err
	}
	if !snapshotID.MatchString(id) {
		return fmt.Errorf("unexpected snapshot id %q", id)
	}
	g, gctx := errgroup.WithContext(ctx)
	for k := range int64(parts) {
		p := p
		p.FirstBlock, p.EndBlock = blocks*k/int64(parts), blocks*(k+1)/int64(parts)
		if k == int64(parts)-1 {
			p.EndBlock = math.MaxUint32 // and whatever the table grew by
		}
		g.Go(func() error {
			return pgx.BeginTxFunc(gctx, a.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
				if _, err := tx.Exec(gctx, "SET TRANSACTION SNAPSHOT '"+id+"'"); err != nil {
					return err
				}
				return part(gctx, tx, p)
			})
		})
	}
	return g.Wait()
}

// indexAndSum builds the staged inputs' index on conn while another
// connection sums them per partner: both read the staged table only.
func (a *Activities) indexAndSum(ctx context.Context, conn *pgxpool.Conn, id uuid.UUID) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return pgx.BeginFunc(gctx, conn, func(tx pgx.Tx) error {
			q := dbq.New(tx)
			if err := q.SetLocalWorkMem(gctx); err != nil {
				return err
			}
			return q.FreezeIndex(gctx, id)
		})
	})
	g.Go(func() error {
		return pgx.BeginFunc(gctx, a.Pool, func(tx pgx.Tx) error {
			q := dbq.New(tx)
			if err := q.SetLocalWorkMem(gctx); err != nil {
				return err
			}
			return q.FreezeSums(gctx, id)
		})
	})
	return g.Wait()
}

// freezeWindow returns the close dates [from, before) a cycle of a period
// ending at end freezes: everything since the program started and not yet
// frozen (so late reports are caught up), but for referrals only deals
// whose hold period has passed by the period's end, and for SPIFFs only
// close dates inside the SPIFF's window.
func freezeWindow(kind domain.IncentiveKind, r domain.IncentiveRules, startsOn, end time.Time) (time.Time, time.Time) {
	from, before := startsOn, end
	switch kind {
	case domain.IncentiveReferral:
		before = end.AddDate(0, 0, -r.HoldDays)
	case domain.IncentiveSpiff:
		if t, err := time.Parse(time.DateOnly, r.From); err == nil && t.After(from) {
			from = t
		}
		if t, err := time.Parse(time.DateOnly, r.To); err == nil && t.AddDate(0, 0, 1).Before(before) {
			before = t.AddDate(0, 0, 1)
		}
	}
	return from, before
}
