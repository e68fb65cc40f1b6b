package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
)

// A program's co-sell policy: only channel managers and admins read and
// set it; a bad policy is refused field by field and stores nothing; a new
// engagement on a deal of the program takes the policy's business days and
// holidays for its response SLA. The test puts the default back.
func TestCoSellPolicyPerProgram(t *testing.T) {
	manager, partner := stack.tokens["manager"], stack.tokens["partnerA"]
	id := submit(t, partner).str("id")
	var program string
	if err := stack.pool.QueryRow(t.Context(), `SELECT coalesce(program_id, (SELECT p.id FROM programs p WHERE p.is_default))::text FROM deals WHERE id = $1`, id).
		Scan(&program); err != nil {
		t.Fatal(err)
	}
	path := "/v1/programs/" + program + "/cosell-policy"
	before := call(t, http.MethodGet, path, manager, nil).must(t, http.StatusOK)
	for _, who := range []string{"partnerA", "adminA", "seller", "finance"} {
		call(t, http.MethodGet, path, stack.tokens[who], nil).must(t, http.StatusForbidden)
		call(t, http.MethodPut, path, stack.tokens[who], map[string]any{"respond_within_business_days": 3}).must(t, http.StatusForbidden)
	}
	call(t, http.MethodGet, "/v1/programs/00000000-0000-0000-0000-000000000000/cosell-policy", manager, nil).must(t, http.StatusNotFound)
	bad := call(t, http.MethodPut, path, manager, map[string]any{"respond_within_business_days": 2, "remind_after_business_days": 2,
		"holidays": []string{"2026-12-25", "Christmas"}})
	if errs := bad.must(t, http.StatusUnprocessableEntity).fieldErrors(); errs["remind_after_business_days"] == "" || errs["holidays[1]"] == "" {
		t.Fatalf("field errors: %s", bad.raw)
	}
	if again := call(t, http.MethodGet, path, manager, nil).must(t, http.StatusOK); string(again.raw) != string(before.raw) {
		t.Fatalf("a refused policy changed it:\n%s\n%s", before.raw, again.raw)
	}

	// The next three days are holidays: the SLA of three business days skips them.
	now := time.Now().UTC()
	var holidays []string
	for i := 0; i <= 3; i++ {
		holidays = append(holidays, now.AddDate(0, 0, i).Format(time.DateOnly))
	}
	set := call(t, http.MethodPut, path, manager, map[string]any{"respond_within_business_days": 3, "remind_after_business_days": 1,
		"milestone_reminder_days": 2, "holidays": holidays, "reason": "office closed"}).must(t, http.StatusOK)
	t.Cleanup(func() {
		call(t, http.MethodPut, path, stack.tokens["admin"], map[string]any{"respond_within_business_days": 2, "remind_after_business_days": 1,
			"milestone_reminder_days": 2, "reason": "back to the default"}).must(t, http.StatusOK)
	})
	if set.body["version"].(float64) < 1 || set.str("set_by_name") == "" || len(set.body["holidays"].([]any)) != 4 {
		t.Fatalf("policy set: %s", set.raw)
	}
	call(t, http.MethodPost, "/v1/deals/"+id+"/approve", manager, map[string]string{"reason": "ok"}).must(t, http.StatusOK)
	from := time.Now().UTC()
	eng := call(t, http.MethodPost, "/v1/deals/"+id+"/cosell", partner, map[string]any{"type": "pricing_support",
		"need_by": now.AddDate(0, 0, 30).Format(time.DateOnly), "message": "a discount for a multi-year deal"}).must(t, http.StatusCreated)
	to := time.Now().UTC()
	due, err := time.Parse(time.RFC3339Nano, eng.str("respond_by"))
	if err != nil {
		t.Fatalf("respond_by: %s", eng.raw)
	}
	cal := domain.NewHolidaySet(holidays)
	lo, hi := domain.AddBusinessDays(from.Add(-time.Second), 3, cal), domain.AddBusinessDays(to.Add(time.Second), 3, cal)
	if due.Before(lo) || due.After(hi) {
		t.Fatalf("respond by %s, want between %s and %s (3 business days after the holidays)", due, lo, hi)
	}
	if due.Sub(from) < 6*24*time.Hour-time.Minute {
		t.Fatalf("respond by %s does not skip the holidays", due)
	}
}
