package bench

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PullbackReport is how late each offer's accept deadline pulled the lead
// back (the offer timed out), over many deadlines pending at once.
type PullbackReport struct {
	N int `json:"n"`
	// ImportPerSecond is the import's rate (leads routed a second).
	ImportPerSecond float64 `json:"import_per_second"`
	// PendingAtFirstDue is how many offers were open when the first fell due.
	PendingAtFirstDue int `json:"pending_at_first_due"`
	// DueSpan is from the first deadline to the last.
	DueSpan float64 `json:"due_span_s"`
	// Workflow is the lateness the workflow saw (the timed_out event's
	// time, workflow.Now, minus the offer's due time); Recorded the
	// lateness of its row in PostgreSQL (recorded_at).
	Workflow Lateness `json:"workflow"`
	Recorded Lateness `json:"recorded"`
	// Missing are offers that never timed out within the wait.
	Missing int `json:"missing"`
}

// Lateness is a distribution of how late, in ms.
type Lateness struct {
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	Over int     `json:"over_2s"`
}

// Pullback imports o.N leads through the import API, each offered to one
// partner with an accept deadline that falls due once every lead should be
// imported: at the pace they were imported, or spread evenly over
// o.DueWindow (the program's accept_within is then moved as the import
// proceeds, so each lead takes the deadline its place in line gives it);
// then it waits for every offer to time
// out and reports how late each pullback was against its due time.
func Pullback(ctx context.Context, pool *pgxpool.Pool, o LeadsOptions, log *slog.Logger) (PullbackReport, error) {
	rep := PullbackReport{N: o.N}
	// Estimate the import's rate on a warm-up file in a program of its own.
	warmB, err := newLeadBench(ctx, pool, o, 48*time.Hour)
	if err != nil {
		return rep, err
	}
	warm, err := warmB.importAll(ctx, "warm-up", 0, max(min(o.N/5, max(o.Batch, 1)*max(o.Concurrency, 1)), 1), nil)
	if err != nil {
		return rep, err
	}
	b, err := newLeadBench(ctx, pool, o, time.Hour)
	if err != nil {
		return rep, err
	}
	start := time.Now()
	// A lead policy's accept_within is a minute at least.
	firstDue := start.Add(max(time.Duration(1.5*float64(o.N)/warm.PerSecond*float64(time.Second))+30*time.Second, 90*time.Second))
	log.Info("importing", "leads", o.N, "warm_up_per_second", warm.PerSecond, "first_due_in", time.Until(firstDue).Round(time.Second))
	// Each lead reads its program's policy as its workflow starts: keep
	// accept_within pointing at the due time of the next lead in line.
	var done atomic.Int64
	if _, err := pool.Exec(ctx, `UPDATE programs SET lead_policy = $2 WHERE id = $1`, b.program, leadBenchPolicy(firstDue.Sub(start))); err != nil {
		return rep, err
	}
	stopMoving := make(chan struct{})
	var mover sync.WaitGroup
	mover.Add(1)
	go func() {
		defer mover.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			within := firstDue.Sub(start) // due as imported, the first at firstDue
			if o.DueWindow > 0 {
				due := firstDue.Add(time.Duration(float64(o.DueWindow) * float64(done.Load()) / float64(o.N)))
				within = max(time.Until(due), time.Minute)
			}
			if _, err := pool.Exec(ctx, `UPDATE programs SET lead_policy = $2 WHERE id = $1`, b.program, leadBenchPolicy(within)); err != nil {
				log.Warn("moving the accept deadline", "err", err)
			}
			select {
			case <-stopMoving:
				return
			case <-t.C:
			}
		}
	}()
	fig, err := b.importAll(ctx, "leads imported and routed", 0, o.N, &done)
	close(stopMoving)
	mover.Wait()
	if err != nil {
		return rep, err
	}
	rep.ImportPerSecond = fig.PerSecond
	if err := pool.QueryRow(ctx, `SELECT extract(epoch FROM max(o.due_at) - min(o.due_at))::float8 FROM lead_offers o JOIN leads l ON l.id = o.lead_id
		WHERE l.program_id = $1`, b.program).Scan(&rep.DueSpan); err != nil {
		return rep, err
	}
	// Wait for every offer to time out (and the lead to be queued).
	var last time.Time
	if err := pool.QueryRow(ctx, `SELECT max(o.due_at) FROM lead_offers o JOIN leads l ON l.id = o.lead_id WHERE l.program_id = $1`,
		b.program).Scan(&last); err != nil {
		return rep, err
	}
	log.Info("imported", "per_second", fig.PerSecond, "due_span_s", rep.DueSpan, "last_due_in", time.Until(last).Round(time.Second))
	for {
		var open int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM leads WHERE program_id = $1 AND status <> 'queued'`, b.program).Scan(&open); err != nil {
			return rep, err
		}
		if open == 0 || time.Now().After(last.Add(5*time.Minute)) {
			break
		}
		time.Sleep(time.Second)
	}
	rows, err := pool.Query(ctx, `SELECT extract(epoch FROM e.occurred_at - o.due_at) * 1000, extract(epoch FROM e.recorded_at - o.due_at) * 1000,
			(SELECT count(*) FROM lead_offers p JOIN leads pl ON pl.id = p.lead_id
			  WHERE pl.program_id = $1 AND p.offered_at <= (SELECT min(due_at) FROM lead_offers f JOIN leads fl ON fl.id = f.lead_id WHERE fl.program_id = $1))
		FROM lead_offers o JOIN leads l ON l.id = o.lead_id
		JOIN lead_events e ON e.lead_id = o.lead_id AND e.type = 'timed_out'
		WHERE l.program_id = $1 AND o.outcome = 'timed_out'`, b.program)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	var wf, rec []float64
	for rows.Next() {
		var w, r float64
		if err := rows.Scan(&w, &r, &rep.PendingAtFirstDue); err != nil {
			return rep, err
		}
		wf, rec = append(wf, w), append(rec, r)
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	rep.Missing = o.N - len(wf)
	rep.Workflow, rep.Recorded = lateness(wf), lateness(rec)
	return rep, nil
}

func lateness(ms []float64) Lateness {
	if len(ms) == 0 {
		return Lateness{}
	}
	sort.Float64s(ms)
	pct := func(p float64) float64 { return ms[min(len(ms)-1, int(p*float64(len(ms))))] }
	over := 0
	for _, v := range ms {
		if v > 2000 {
			over++
		}
	}
	return Lateness{P50: pct(0.5), P90: pct(0.9), P99: pct(0.99), Max: ms[len(ms)-1], Over: over}
}

// Table renders the report.
func (r PullbackReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d leads offered with accept deadlines due over %.1f s (imported at %.1f/s; %d offers open when the first fell due)\n",
		r.N, r.DueSpan, r.ImportPerSecond, r.PendingAtFirstDue)
	fmt.Fprintf(&b, "%-50s %8s %8s %8s %8s %8s\n", "lateness after the due time", "p50 ms", "p90 ms", "p99 ms", "max ms", "> 2 s")
	for _, l := range []struct {
		name string
		l    Lateness
	}{{"pullback as the workflow saw it (timed_out event)", r.Workflow}, {"pullback recorded in PostgreSQL", r.Recorded}} {
		fmt.Fprintf(&b, "%-50s %8.1f %8.1f %8.1f %8.1f %8d\n", l.name, l.l.P50, l.l.P90, l.l.P99, l.l.Max, l.l.Over)
	}
	fmt.Fprintf(&b, "offers that never timed out: %d (target: every pullback within 2 s of its due time)\n", r.Missing)
	return b.String()
}
