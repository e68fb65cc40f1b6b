package db

import (
	"context"
	"sync"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
)

// DefaultFullEvery is how often a LedgerWatch re-reads the whole ledger
// when its FullEvery is not set.
const DefaultFullEvery = 5 * time.Minute

// LedgerWatch keeps a verification of the ledger current for pages that
// show it on every view: each Verify checks only the entries added since
// the last one, continuing the hash chain and the sums where it stopped,
// and re-reads the whole ledger when the last full pass is older than
// FullEvery (an old entry edited behind the triggers' back changes no
// head, so only a full pass finds it). Safe for concurrent use; the zero
// value is ready.
type LedgerWatch struct {
	FullEvery time.Duration

	mu     sync.Mutex
	v      domain.LedgerVerifier
	fullAt time.Time
}

// Verify brings the verification up to the ledger's head and reports it,
// with when the last full pass began.
func (w *LedgerWatch) Verify(ctx context.Context, q *dbq.Queries) (domain.LedgerReport, time.Time, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	every := w.FullEvery
	if every <= 0 {
		every = DefaultFullEvery
	}
	if w.fullAt.IsZero() || time.Since(w.fullAt) >= every {
		w.v, w.fullAt = domain.LedgerVerifier{}, time.Now()
	}
	after := w.v.Last()
	for {
		rows, err := q.LedgerEntriesAfter(ctx, dbq.LedgerEntriesAfterParams{AfterSeq: after, MaxRows: 10000})
		if err != nil {
			return domain.LedgerReport{}, w.fullAt, err
		}
		for _, r := range rows {
			w.v.Add(LedgerEntryOf(r))
			after = r.Seq
		}
		if len(rows) < 10000 {
			break
		}
	}
	rep := w.v.Result()
	if rep.OK {
		head, err := q.LedgerHead(ctx)
		if err != nil {
			return rep, w.fullAt, err
		}
		if head.Seq != rep.HeadSeq || head.Hash != rep.HeadHash {
			rep.OK = false
			rep.Problem = &domain.LedgerProblem{Seq: head.Seq, Reason: "the ledger head does not point at the last entry"}
		}
	}
	return rep, w.fullAt, nil
}

// Reset makes the next Verify a full pass.
func (w *LedgerWatch) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fullAt = time.Time{}
}
