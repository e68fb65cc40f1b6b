package db

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
)

// LedgerEntryOf converts a stored ledger row to the domain's entry, whose
// hash covers exactly these fields.
func LedgerEntryOf(r dbq.LedgerEntry) domain.LedgerEntry {
	e := domain.LedgerEntry{Seq: r.Seq, Key: r.EntryKey, PostedAt: r.PostedAt, CycleID: r.CycleID.String(),
		PartnerID: r.PartnerID.String(), Account: r.Account, Debit: r.Debit, Credit: r.Credit, Currency: r.Currency,
		Memo: r.Memo, PrevHash: r.PrevHash, Hash: r.Hash}
	if r.LineID.Valid {
		e.LineID = r.LineID.UUID.String()
	}
	if r.ReversesSeq.Valid {
		e.ReversesSeq = r.ReversesSeq.Int64
	}
	return e
}

// VerifyLedger reads the whole ledger in chain order, in pages, and checks
// it (domain.LedgerVerifier): hashes, links, numbering, and debits equal to
// credits per posting and per currency. It also reports a ledger head that
// does not match the last entry.
func VerifyLedger(ctx context.Context, q *dbq.Queries) (domain.LedgerReport, error) {
	var w LedgerWatch // a first pass reads the whole ledger
	rep, _, err := w.Verify(ctx, q)
	return rep, err
}

// LineInputsParams pages through the frozen deals behind statement line l,
// max at a time, from the first: a partner's line stands on the deals it
// won, a clawback or correction on its one deal.
func LineInputsParams(l dbq.StatementLineGetRow, max int32) dbq.StatementLineInputsParams {
	return dbq.StatementLineInputsParams{CycleID: l.CycleID, PartnerID: l.PartnerID, DealID: l.DealID, PaidCycleID: l.PaidCycleID,
		AfterClosed: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), MaxRows: max}
}
