package incentive

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dealflow/dealflow/activities"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/exports"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"go.temporal.io/sdk/activity"
)

// PayBatchInput asks for the next partners of a cycle to be paid.
type PayBatchInput struct {
	CycleID string `json:"cycle_id"`
	// After is the last partner id of the previous batch ("" to start).
	After string `json:"after"`
	// Held partners are not paid.
	Held []string `json:"held,omitempty"`
	Max  int      `json:"max"`
}

// PayBatchResult says how far the payouts got.
type PayBatchResult struct {
	Partners int    `json:"partners"`
	Entries  int    `json:"entries"`
	Last     string `json:"last"`
}

// PayBatch pays up to Max partners of an approved cycle, in one
// transaction: for each line (after adjustments) an accrual — debit
// incentive expense, credit the partner's payable; a negative line
// reverses those sides and names the entry it reverses — then one payment
// of the partner's net when positive — debit payable, credit cash — and the
// partner's payout record for accounts payable. Entries are chained under
// the ledger head's lock. A partner already paid is skipped and every
// entry has a unique key, so a batch retried after a crash pays no one
// twice.
func (a *Activities) PayBatch(ctx context.Context, in PayBatchInput) (PayBatchResult, error) {
	id, err := uuid.Parse(in.CycleID)
	if err != nil {
		return PayBatchResult{}, activities.NotFoundError("no cycle %q", in.CycleID)
	}
	after := uuid.Nil
	if in.After != "" {
		if after, err = uuid.Parse(in.After); err != nil {
			return PayBatchResult{}, activities.NotFoundError("no partner %q", in.After)
		}
	}
	held := make([]uuid.UUID, 0, len(in.Held))
	for _, h := range in.Held {
		if u, err := uuid.Parse(h); err == nil {
			held = append(held, u)
		}
	}
	// A worker that dies holding this batch is noticed by the missing
	// heartbeat within seconds, and the batch retried elsewhere.
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, in.After)
	}
	res := PayBatchResult{Last: in.After}
	err = db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		head, err := q.LedgerHeadLock(ctx)
		if err != nil {
			return err
		}
		lines, err := q.PayoutBatchLines(ctx, dbq.PayoutBatchLinesParams{CycleID: id, AfterPartner: after, Held: held,
			MaxPartners: int32(max(in.Max, 1))})
		if err != nil || len(lines) == 0 {
			return err
		}
		now := a.now().Truncate(time.Microsecond)
		entries, payouts := postings(in.CycleID, lines, now)
		seq, hash := domain.Chain(entries, head.Seq, head.Hash)
		rows := make([]dbq.LedgerEntriesInsertParams, len(entries))
		first := map[string]int64{}
		last := map[string]int64{}
		for i, e := range entries {
			rows[i] = dbq.LedgerEntriesInsertParams{Seq: e.Seq, EntryKey: e.Key, PostedAt: e.PostedAt, CycleID: id,
				PartnerID: uuid.MustParse(e.PartnerID), Account: e.Account, Debit: e.Debit, Credit: e.Credit, Currency: e.Currency,
				Memo: e.Memo, PrevHash: e.PrevHash, Hash: e.Hash}
			if e.LineID != "" {
				rows[i].LineID = uuid.NullUUID{UUID: uuid.MustParse(e.LineID), Valid: true}
			}
			if e.ReversesSeq != 0 {
				rows[i].ReversesSeq = pgtype.Int8{Int64: e.ReversesSeq, Valid: true}
			}
			if first[e.PartnerID] == 0 {
				first[e.PartnerID] = e.Seq
			}
			last[e.PartnerID] = e.Seq
		}
		if _, err := q.LedgerEntriesInsert(ctx, rows); err != nil {
			return fmt.Errorf("post ledger entries: %w", err)
		}
		for i := range payouts {
			p := &payouts[i]
			if f := first[p.PartnerID.String()]; f != 0 {
				p.FirstSeq = pgtype.Int8{Int64: f, Valid: true}
				p.LastSeq = pgtype.Int8{Int64: last[p.PartnerID.String()], Valid: true}
			}
		}
		if _, err := q.PayoutsInsert(ctx, payouts); err != nil {
			return fmt.Errorf("record payouts: %w", err)
		}
		if len(entries) > 0 {
			if err := q.LedgerHeadSet(ctx, dbq.LedgerHeadSetParams{Seq: seq, Hash: hash}); err != nil {
				return err
			}
		}
		res.Partners, res.Entries = len(payouts), len(entries)
		res.Last = payouts[len(payouts)-1].PartnerID.String()
		return nil
	})
	return res, err
}

// postings builds the ledger entries and payout records for the lines of
// a batch of partners (ordered by partner, then line).
func postings(cycleID string, lines []dbq.PayoutBatchLinesRow, now time.Time) ([]domain.LedgerEntry, []dbq.PayoutsInsertParams) {
	var entries []domain.LedgerEntry
	var payouts []dbq.PayoutsInsertParams
	flush := func(partner uuid.UUID, currency string, net int64, n int) {
		pid := partner.String()
		status := "nothing_due"
		if net > 0 {
			status = "payable"
			key := "cycle/" + cycleID + "/partner/" + pid + "/payment/"
			entries = append(entries,
				domain.LedgerEntry{Key: key + "payable", PostedAt: now, CycleID: cycleID, PartnerID: pid,
					Account: domain.AccountPartnerPayable, Debit: net, Currency: currency, Memo: "payment"},
				domain.LedgerEntry{Key: key + "cash", PostedAt: now, CycleID: cycleID, PartnerID: pid,
					Account: domain.AccountCash, Credit: net, Currency: currency, Memo: "payment"})
		}
		payouts = append(payouts, dbq.PayoutsInsertParams{CycleID: uuid.MustParse(cycleID), PartnerID: partner, Amount: net,
			Currency: currency, Lines: int32(n), Status: status, PostedAt: now})
	}
	var cur uuid.UUID
	var currency string
	var net int64
	n := 0
	for i, l := range lines {
		if i > 0 && l.PartnerID != cur {
			flush(cur, currency, net, n)
			net, n = 0, 0
		}
		cur, currency = l.PartnerID, l.Currency
		n++
		net += l.Amount
		if l.Amount == 0 {
			continue
		}
		pid, lid := l.PartnerID.String(), l.ID.String()
		key := "cycle/" + cycleID + "/partner/" + pid + "/line/" + strconv.Itoa(int(l.LineNo)) + "/"
		memo := l.Kind
		if l.DealID.Valid {
			memo += " deal " + l.DealID.UUID.String()
		}
		expense := domain.LedgerEntry{Key: key + "expense", PostedAt: now, CycleID: cycleID, PartnerID: pid, LineID: lid,
			Account: domain.AccountIncentiveExpense, Currency: l.Currency, Memo: memo}
		payable := domain.LedgerEntry{Key: key + "payable", PostedAt: now, CycleID: cycleID, PartnerID: pid, LineID: lid,
			Account: domain.AccountPartnerPayable, Currency: l.Currency, Memo: memo}
		if l.Amount > 0 {
			expense.Debit, payable.Credit = l.Amount, l.Amount
		} else {
			expense.Credit, payable.Debit = -l.Amount, -l.Amount
			expense.ReversesSeq = l.ReversesSeq
		}
		entries = append(entries, expense, payable)
	}
	flush(cur, currency, net, n)
	return entries, payouts
}

// FinishResult summarizes a cycle's payouts.
type FinishResult struct {
	Published int    `json:"published"`
	Unpaid    int    `json:"unpaid"`
	File      string `json:"file,omitempty"`
}

// FinishPayouts publishes the statements of every partner paid so far,
// writes the accounts-payable file (PayoutDir/<program>-<period>-<cycle>.csv,
// replaced atomically, the same content each time for the same payouts),
// and marks the cycle paid once no partner is left unpaid.
func (a *Activities) FinishPayouts(ctx context.Context, cycleID string) (FinishResult, error) {
	id, err := uuid.Parse(cycleID)
	if err != nil {
		return FinishResult{}, activities.NotFoundError("no cycle %q", cycleID)
	}
	var res FinishResult
	err = db.InTx(ctx, a.Pool, func(q *dbq.Queries) error {
		n, err := q.StatementsPublish(ctx, dbq.StatementsPublishParams{CycleID: id, PublishedAt: a.now()})
		if err != nil {
			return err
		}
		res.Published = int(n)
		unpaid, err := q.CycleUnpaidPartners(ctx, id)
		if err != nil {
			return err
		}
		res.Unpaid = int(unpaid)
		if unpaid == 0 {
			return q.CycleMarkPaid(ctx, dbq.CycleMarkPaidParams{ID: id, At: ts(a.now())})
		}
		return nil
	})
	if err != nil || a.PayoutDir == "" {
		return res, err
	}
	res.File, err = a.writePayoutFile(ctx, id)
	return res, err
}

func (a *Activities) writePayoutFile(ctx context.Context, id uuid.UUID) (string, error) {
	q := dbq.New(a.Pool)
	c, err := q.CycleGet(ctx, id)
	if err != nil {
		return "", err
	}
	rows, err := q.CyclePayouts(ctx, id)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(a.PayoutDir, 0o750); err != nil {
		return "", err
	}
	name := filepath.Join(a.PayoutDir, fmt.Sprintf("%s-%s-%s.csv", c.ProgramCode, c.PeriodStart.Format("2006-01"), id))
	tmp, err := os.CreateTemp(a.PayoutDir, ".payouts-*.csv")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if err := exports.Payouts(tmp, c, rows); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return name, os.Rename(tmp.Name(), name)
}
