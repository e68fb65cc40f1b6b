package domain

import (
	"strings"
	"testing"
	"time"
)

func sampleEntries() []LedgerEntry {
	at := time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)
	var es []LedgerEntry
	for _, p := range []string{"p1", "p2"} {
		es = append(es,
			LedgerEntry{Key: "c/" + p + "/1/expense", PostedAt: at, CycleID: "c", PartnerID: p, Account: AccountIncentiveExpense, Debit: 500, Currency: "USD"},
			LedgerEntry{Key: "c/" + p + "/1/payable", PostedAt: at, CycleID: "c", PartnerID: p, Account: AccountPartnerPayable, Credit: 500, Currency: "USD"},
			LedgerEntry{Key: "c/" + p + "/pay/payable", PostedAt: at, CycleID: "c", PartnerID: p, Account: AccountPartnerPayable, Debit: 500, Currency: "USD"},
			LedgerEntry{Key: "c/" + p + "/pay/cash", PostedAt: at, CycleID: "c", PartnerID: p, Account: AccountCash, Credit: 500, Currency: "USD"})
	}
	Chain(es, 0, "")
	return es
}

func verify(es []LedgerEntry) LedgerReport {
	var v LedgerVerifier
	for _, e := range es {
		v.Add(e)
	}
	return v.Result()
}

// A chained ledger verifies; altering, removing, reordering or unbalancing
// any entry is caught, and the first bad entry is named.
func TestLedgerChainAndVerifier(t *testing.T) {
	es := sampleEntries()
	if r := verify(es); !r.OK || r.Entries != 8 || r.Totals["USD"] != 2000 || r.HeadSeq != 8 || r.HeadHash != es[7].Hash {
		t.Fatalf("clean ledger: %+v", r)
	}
	// Hashes depend on every field, to the microsecond only.
	e := es[0]
	e.PostedAt = e.PostedAt.Add(100 * time.Nanosecond)
	if e.ComputeHash() != es[0].Hash {
		t.Fatal("sub-microsecond time changed the hash")
	}
	e.Memo = "x"
	if e.ComputeHash() == es[0].Hash {
		t.Fatal("memo not covered by the hash")
	}
	cases := map[string]struct {
		mutate func([]LedgerEntry) []LedgerEntry
		seq    int64
		reason string
	}{
		"altered amount": {func(l []LedgerEntry) []LedgerEntry { l[2].Debit++; return l }, 3, "altered"},
		"removed entry":  {func(l []LedgerEntry) []LedgerEntry { return append(l[:4:4], l[5:]...) }, 6, "missing"},
		"reordered":      {func(l []LedgerEntry) []LedgerEntry { l[4], l[5] = l[5], l[4]; return l }, 6, "missing"},
		"rehashed but unbalanced": {func(l []LedgerEntry) []LedgerEntry {
			l[7].Credit = 400
			Chain(l[7:], 7, l[6].Hash)
			return l
		}, 0, "debits"},
	}
	for name, tc := range cases {
		l := tc.mutate(sampleEntries())
		r := verify(l)
		if r.OK || r.Problem == nil || r.Problem.Seq != tc.seq || !strings.Contains(r.Problem.Reason, tc.reason) {
			t.Errorf("%s: %+v", name, r.Problem)
		}
	}
}

func TestParseIncentiveRules(t *testing.T) {
	ok := map[IncentiveKind]string{
		IncentiveRebate:   `{"mode":"marginal","tiers":[{"above":0,"rate_bp":500},{"above":100,"rate_bp":1000}]}`,
		IncentiveReferral: `{"rate_bp":1000,"cap_per_deal":500,"hold_days":30}`,
		IncentiveSpiff:    `{"amount":100,"per":"unit","from":"2026-01-01","to":"2026-03-31","budget":10000}`,
	}
	for k, raw := range ok {
		if _, err := ParseIncentiveRules(k, []byte(raw)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	bad := []struct {
		kind IncentiveKind
		raw  string
		want string
	}{
		{IncentiveRebate, `{"mode":"flat","tiers":[{"above":0,"rate_bp":500}]}`, "mode"},
		{IncentiveRebate, `{"mode":"marginal","tiers":[{"above":10,"rate_bp":500}]}`, "tiers[0].above"},
		{IncentiveRebate, `{"mode":"marginal","tiers":[{"above":0,"rate_bp":500},{"above":0,"rate_bp":600}]}`, "ascending"},
		{IncentiveRebate, `{"mode":"marginal","tiers":[{"above":0,"rate_bp":20000}]}`, "rate_bp"},
		{IncentiveRebate, `{"mode":"marginal","tiers":[{"above":0,"rate_bp":500}],"hold_days":3}`, "does not apply"},
		{IncentiveReferral, `{"rate_bp":0}`, "rate_bp"},
		{IncentiveReferral, `{"rate_bp":100,"hold_days":400}`, "hold_days"},
		{IncentiveSpiff, `{"amount":100,"per":"box"}`, "per"},
		{IncentiveSpiff, `{"amount":100,"per":"deal","from":"2026-05-01","to":"2026-04-01"}`, "to"},
		{IncentiveSpiff, `{"amount":100,"per":"deal","colour":"red"}`, "unknown field"},
		{IncentiveSpiff, `{"amount":100,"per":"deal"} {}`, "unexpected data"},
	}
	for _, b := range bad {
		if _, err := ParseIncentiveRules(b.kind, []byte(b.raw)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s %s: %v, want %q", b.kind, b.raw, err, b.want)
		}
	}
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct {
		kind  string
		at    time.Time
		grace int
		want  string
	}{
		{PeriodMonth, time.Date(2026, 2, 8, 2, 0, 0, 0, time.UTC), 7, "2026-01-01..2026-01-31"},
		{PeriodMonth, time.Date(2026, 2, 7, 23, 0, 0, 0, time.UTC), 7, "2025-12-01..2025-12-31"},
		{PeriodMonth, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 0, "2026-02-01..2026-02-28"},
		{PeriodQuarter, time.Date(2026, 10, 8, 2, 0, 0, 0, time.UTC), 7, "2026-07-01..2026-09-30"},
		{PeriodQuarter, time.Date(2027, 1, 1, 2, 0, 0, 0, time.UTC), 0, "2026-10-01..2026-12-31"},
	} {
		p, err := PeriodDueAt(tc.kind, tc.at, tc.grace)
		if err != nil || p.String() != tc.want {
			t.Errorf("%s at %v grace %d: %v %v, want %s", tc.kind, tc.at, tc.grace, p, err, tc.want)
		}
	}
	if _, err := PeriodContaining("week", time.Now()); err == nil {
		t.Error("week accepted")
	}
}

func TestFormatMinor(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		cur  string
		want string
	}{{1234, "USD", "12.34"}, {5, "USD", "0.05"}, {-1500, "EUR", "-15.00"}, {1234, "JPY", "1234"}, {1234, "KWD", "1.234"}, {0, "USD", "0.00"}} {
		if got := FormatMinor(tc.v, tc.cur); got != tc.want {
			t.Errorf("FormatMinor(%d, %s) = %s, want %s", tc.v, tc.cur, got, tc.want)
		}
	}
}
