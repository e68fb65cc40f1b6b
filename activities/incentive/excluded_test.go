package incentive_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/activities/incentive"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// Deals a cycle froze but does not pay (another currency) are listed one
// by one, for finance with every partner's, for a partner (scoped in SQL)
// with its own only.
func TestExcludedDealsAreListedAndScoped(t *testing.T) {
	ctx := context.Background()
	a := incentive.New(testDB.Pool)
	w := newWorld(t, testDB.Pool, 2)
	w.win(wonDeal{partner: 0, amount: 100_00, closed: "2060-01-10"}, wonDeal{partner: 0, amount: 700_00, currency: "EUR", closed: "2060-01-11"},
		wonDeal{partner: 1, amount: 50_00, closed: "2060-01-12"}, wonDeal{partner: 1, amount: 300_00, currency: "GBP", closed: "2060-01-13"},
		wonDeal{partner: 1, amount: 200_00, currency: "EUR", closed: "2060-01-14"})
	prog := w.program(domain.IncentiveRebate, `{"mode":"retroactive","tiers":[{"above":0,"rate_bp":1000}]}`, "2060-01-01")
	jan := uuid.MustParse(w.cycle(a, prog, "2060-01-01", "2060-02-01"))
	q := dbq.New(testDB.Pool)
	list := func(scope uuid.NullUUID) []string {
		rows, err := q.CycleExcludedDeals(ctx, dbq.CycleExcludedDealsParams{CycleID: jan, ScopePartnerID: scope, MaxRows: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s:%s:%d:%s", r.DealID, r.Currency, r.Amount, r.Reason))
		}
		return out
	}
	all := list(uuid.NullUUID{})
	want := []string{
		fmt.Sprintf("%s:EUR:70000:currency EUR", w.deals[1]),
		fmt.Sprintf("%s:GBP:30000:currency GBP", w.deals[3]),
		fmt.Sprintf("%s:EUR:20000:currency EUR", w.deals[4]),
	}
	if len(all) != 3 {
		t.Fatalf("finance sees %q", all)
	}
	for _, wnt := range want {
		if !strings.Contains(strings.Join(all, "|"), wnt) {
			t.Fatalf("finance sees %q, missing %q", all, wnt)
		}
	}
	if own := list(uuid.NullUUID{UUID: w.partners[0], Valid: true}); strings.Join(own, "|") != want[0] {
		t.Fatalf("partner 0 sees %q", own)
	}
	if own := list(uuid.NullUUID{UUID: w.partners[1], Valid: true}); strings.Join(own, "|") != want[1]+"|"+want[2] {
		t.Fatalf("partner 1 sees %q", own)
	}
}
