package exports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/domain"
)

// The ROI files: a header, one row per line of the table, amounts in minor
// units and as decimals, an empty ratio where there is no revenue, and a
// name that would be a formula neutralised by csvout.
func TestROIFiles(t *testing.T) {
	win := ROIWindow{Currency: "EUR", From: "2026-01", To: "2026-06"}
	bp := int64(375)
	var b bytes.Buffer
	err := ROIPrograms(&b, win, []domain.ROIProgram{{ROIRow: domain.ROIRow{Key: "roi-rebate", Name: "=HYPERLINK()", Accrued: 36000, Paid: 38000,
		Revenue: 960000, SpendPerRevenueBP: &bp}, Kind: "rebate", StartsOn: "2026-04-01",
		Lift: domain.DiDEstimate{Estimable: true, TreatedPartners: 2, ControlPartners: 2, FewControls: true, MonthsBefore: 3, MonthsAfter: 3,
			TreatedBefore: 1000, TreatedAfter: 1600, ControlBefore: 1000, ControlAfter: 1200, LiftPerPartnerMonth: 400, Lift: 2400}}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := "roi-rebate,'=HYPERLINK(),rebate,2026-04-01,EUR,2026-01,2026-06,36000,360.00,38000,380.00,960000,9600.00,375,true,,2,2,true,3,3,1000,1600,1000,1200,400,2400"
	if len(lines) != 2 || lines[1] != want {
		t.Fatalf("programs file:\n%s\nwant row\n%s", b.String(), want)
	}
	b.Reset()
	if err := ROIPartners(&b, win, []domain.ROIRow{{Key: "p1", Name: "C1", Tier: "gold", Revenue: 660000}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Split(strings.TrimSpace(b.String()), "\n")[1]; got != "p1,C1,gold,EUR,2026-01,2026-06,0,0.00,0,0.00,660000,6600.00," {
		t.Fatalf("partners row %q", got)
	}
	b.Reset()
	if err := ROITiers(&b, win, []domain.ROIRow{{Key: "gold", Accrued: 1, Revenue: 0}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Split(strings.TrimSpace(b.String()), "\n")[1]; got != "gold,EUR,2026-01,2026-06,1,0.01,0,0.00,0,0.00," {
		t.Fatalf("tiers row %q", got)
	}
}
