package exports_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/csvout"
	"github.com/dealflow/dealflow/internal/exports"
)

// The ledger's CSV goes through the one CSV writer (finding 3), and its
// hash chain still verifies from the file alone: a reader restores each
// cell (csvout.Restore) and recomputes every hash, even for a memo the
// writer had to neutralise.
func TestLedgerCSVReverifiesFromTheFile(t *testing.T) {
	at := time.Date(2026, 11, 30, 23, 59, 59, 123456000, time.UTC)
	entries := []domain.LedgerEntry{
		{Key: "k/1", PostedAt: at, CycleID: "c", PartnerID: "p", LineID: "l", Account: domain.AccountIncentiveExpense, Debit: 500, Currency: "USD", Memo: "=cmd|' /C calc'!A0"},
		{Key: "k/2", PostedAt: at, CycleID: "c", PartnerID: "p", LineID: "l", Account: domain.AccountPartnerPayable, Credit: 500, Currency: "USD", Memo: "-5 credit note"},
		{Key: "k/3", PostedAt: at, CycleID: "c", PartnerID: "p", Account: domain.AccountPartnerPayable, Debit: 500, Currency: "USD", Memo: "'payment", ReversesSeq: 1},
		{Key: "k/4", PostedAt: at, CycleID: "c", PartnerID: "p", Account: domain.AccountCash, Credit: 500, Currency: "USD", Memo: "payment"},
	}
	domain.Chain(entries, 0, "")
	var buf bytes.Buffer
	w := csvout.NewWriter(&buf)
	_ = w.Write(exports.LedgerHeader)
	for _, e := range entries {
		_ = w.Write(exports.LedgerRecord(e))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != len(entries)+1 {
		t.Fatalf("read back %d rows: %v", len(rows), err)
	}
	if memo := rows[1][11]; memo != "'=cmd|' /C calc'!A0" {
		t.Fatalf("memo cell %q: want it neutralised", memo)
	}
	var v domain.LedgerVerifier
	for _, r := range rows[1:] {
		for i := range r {
			r[i] = csvout.Restore(r[i])
		}
		num := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
		posted, _ := time.Parse(time.RFC3339Nano, r[2])
		v.Add(domain.LedgerEntry{Seq: num(r[0]), Key: r[1], PostedAt: posted, CycleID: r[3], PartnerID: r[4], LineID: r[5], Account: r[6],
			Debit: num(r[7]), Credit: num(r[8]), Currency: r[9], ReversesSeq: num(r[10]), Memo: r[11], PrevHash: r[12], Hash: r[13]})
	}
	if rep := v.Result(); !rep.OK || rep.Entries != int64(len(entries)) {
		t.Fatalf("the file does not re-verify: %+v", rep)
	}
}
