package e2e

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
)

// The return on incentive spend through the API and the console, in SEK
// (a currency no other test uses, so that the figures are this test's
// alone), every figure by hand.
//
// A rebate program at 5 % on the product line "roi-edr", starting
// 2025-04-01, paid monthly. Partner T (gold) wins roi-edr deals of
// 1,000.00 SEK a month in January-March and 1,600.00 in April-June;
// partner C (silver) wins roi-other deals (the program pays nothing on
// them) of 1,000.00 then 1,200.00. The April and May cycles pay T 5 % of
// 1,600.00 = 80.00 each.
//
//	program: accrued = paid = 160.00; revenue its cycles counted 3,200.00;
//	         160 / 3200 = 5.00 % = 500 bp
//	lift:    treated before 1,000.00, after 1,600.00; control before
//	         1,000.00, after 1,200.00: (1600 − 1000) − (1200 − 1000) = 400.00
//	         per partner-month, × 1 partner × 3 months = 1,200.00; one
//	         control: flagged few controls
//	T:       160.00 against 7,800.00 = 2.0513 % → 205 bp; C: 0 against 6,600.00
//	tiers:   gold 205 bp, silver 0 bp
//
// Partners get 403 from the API and the console; the vendor's page shows
// the method and caveats, and its CSV files carry the same figures.
func TestROIThroughTheAPIAndTheConsole(t *testing.T) {
	treated, err := cliLine("partner", "create", "--name", "ROI Treated "+tag(), "--type", "reseller", "--tier", "gold")
	if err != nil {
		t.Fatal(err)
	}
	control, err := cliLine("partner", "create", "--name", "ROI Control "+tag(), "--type", "reseller", "--tier", "silver")
	if err != nil {
		t.Fatal(err)
	}
	for m := range 6 {
		closed := time.Date(2025, time.Month(m+1), 10, 0, 0, 0, 0, time.UTC)
		tAmount, cAmount := int64(1000_00), int64(1000_00)
		if m >= 3 {
			tAmount, cAmount = 1600_00, 1200_00
		}
		wonDeal(t, treated, tAmount, "SEK", "roi-edr", closed)
		wonDeal(t, control, cAmount, "SEK", "roi-other", closed)
	}
	code := "roi-" + tag()
	prog := post(t, "/v1/incentive-programs", "finance", map[string]any{"code": code, "name": "ROI rebate", "kind": "rebate",
		"currency": "SEK", "period": "month", "grace_days": 0, "starts_on": "2025-04-01",
		"rules": map[string]any{"mode": "retroactive", "tiers": []map[string]any{{"above": 0, "rate_bp": 500}},
			"product_lines": []string{"roi-edr"}, "second_approval_at": 100_000_000_00}}).must(t, http.StatusCreated).str("id")
	for _, month := range []time.Time{time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)} {
		payCycle(t, runCycle(t, prog, month))
	}

	const path = "/v1/analytics/roi?currency=SEK&from=2025-01&to=2025-06"
	for _, who := range []string{"partnerA", "adminA"} {
		call(t, http.MethodGet, path, stack.tokens[who], nil).problem(t, http.StatusForbidden, "urn:dealflow:problem:forbidden")
	}
	call(t, http.MethodGet, "/v1/analytics/roi?currency=SEK&from=2025-07&to=2025-06", stack.tokens["finance"], nil).
		problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
	for _, who := range []string{"manager", "finance", "admin"} {
		r := call(t, http.MethodGet, path, stack.tokens[who], nil).must(t, http.StatusOK)
		if r.body["method"] != domain.ROIMethod || len(r.body["caveats"].([]any)) != len(domain.ROICaveats) {
			t.Fatalf("method and caveats: %s", r.raw)
		}
		programs := r.body["programs"].([]any)
		if len(programs) != 1 {
			t.Fatalf("programs in SEK: %s", r.raw)
		}
		p := programs[0].(map[string]any)
		lift := p["lift"].(map[string]any)
		if p["key"] != code || p["accrued"] != 16000.0 || p["paid"] != 16000.0 || p["revenue"] != 320000.0 || p["spend_per_revenue_bp"] != 500.0 {
			t.Errorf("program row: %v", p)
		}
		if lift["estimable"] != true || lift["treated_before"] != 100000.0 || lift["treated_after"] != 160000.0 ||
			lift["control_before"] != 100000.0 || lift["control_after"] != 120000.0 || lift["lift_per_partner_month"] != 40000.0 ||
			lift["lift"] != 120000.0 || lift["few_controls"] != true || lift["treated_partners"] != 1.0 || lift["control_partners"] != 1.0 {
			t.Errorf("lift: %v", lift)
		}
		want := map[string][4]float64{treated: {16000, 16000, 780000, 205}, control: {0, 0, 660000, 0}}
		partners := r.body["partners"].([]any)
		if len(partners) != 2 {
			t.Fatalf("partners in SEK: %s", r.raw)
		}
		for _, x := range partners {
			row := x.(map[string]any)
			w := want[row["key"].(string)]
			if row["accrued"] != w[0] || row["paid"] != w[1] || row["revenue"] != w[2] || row["spend_per_revenue_bp"] != w[3] {
				t.Errorf("partner row %v, want %v", row, w)
			}
		}
		tiers := map[string]float64{}
		for _, x := range r.body["tiers"].([]any) {
			row := x.(map[string]any)
			tiers[row["key"].(string)] = row["spend_per_revenue_bp"].(float64)
		}
		if len(tiers) != 2 || tiers["gold"] != 205 || tiers["silver"] != 0 {
			t.Errorf("tiers %v", tiers)
		}
	}

	pcl, _ := consoleClient(t, "partnerA")
	get(t, pcl, "/console/analytics/roi", http.StatusForbidden)
	get(t, pcl, "/console/analytics/roi/partners.csv", http.StatusForbidden)
	for _, who := range []string{"manager", "finance"} {
		cl, _ := consoleClient(t, who)
		if !strings.Contains(get(t, cl, "/console/cycles", http.StatusOK), `<a href="/console/analytics/roi">`) {
			t.Errorf("%s's navigation has no link to the ROI page", who)
		}
		page := html.UnescapeString(get(t, cl, "/console/analytics/roi?currency=SEK&from=2025-01&to=2025-06", http.StatusOK))
		for _, want := range append([]string{"ROI rebate", "400.00 SEK per partner-month; 1200.00 SEK over 3 months", "few controls: 1",
			"5.00 %", "2.05 %", domain.ROIMethod}, domain.ROICaveats...) {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the ROI page lacks %q", who, want)
			}
		}
		csv := get(t, cl, "/console/analytics/roi/programs.csv?currency=SEK&from=2025-01&to=2025-06", http.StatusOK)
		if !strings.Contains(csv, code+",ROI rebate,rebate,2025-04-01,SEK,2025-01,2025-06,16000,160.00,16000,160.00,320000,3200.00,500,true,,1,1,true,3,3,100000,160000,100000,120000,40000,120000") {
			t.Errorf("programs.csv:\n%s", csv)
		}
		csv = get(t, cl, "/console/analytics/roi/partners.csv?currency=SEK&from=2025-01&to=2025-06", http.StatusOK)
		if !strings.Contains(csv, treated+",") || !strings.Contains(csv, ",gold,SEK,2025-01,2025-06,16000,160.00,16000,160.00,780000,7800.00,205") {
			t.Errorf("partners.csv:\n%s", csv)
		}
		csv = get(t, cl, "/console/analytics/roi/tiers.csv?currency=SEK&from=2025-01&to=2025-06", http.StatusOK)
		if !strings.Contains(csv, "silver,SEK,2025-01,2025-06,0,0.00,0,0.00,660000,6600.00,0") {
			t.Errorf("tiers.csv:\n%s", csv)
		}
		get(t, cl, "/console/analytics/roi/tiers.csv?from=bad", http.StatusUnprocessableEntity)
		get(t, cl, "/console/analytics/roi?from=bad", http.StatusUnprocessableEntity)
	}
}
