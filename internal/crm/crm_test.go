package crm

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/testenv"
)

var testDB *testenv.Database

// TestMain gives this package its own migrated database on the real
// PostgreSQL, and fails (never skips) when it cannot.
func TestMain(m *testing.M) { os.Exit(testenv.RunWithDatabase(m, "crm", &testDB)) }

// Accounts upsert by external id: new rows are inserted, known ones updated,
// names and domains normalized for matching.
func TestUpsertAccounts(t *testing.T) {
	ctx := context.Background()
	p, err := dbq.New(testDB.Pool).PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Owner", Type: "msp", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	rows := []Account{
		{ExternalID: "A-1", Name: "Müller Maschinenbau GmbH", Domain: "https://www.mueller-maschinenbau.de/", Country: "de", OwnerType: "direct", ReservedForDirect: true},
		{ExternalID: "A-2", Name: "Hooli Inc.", OwnerType: "Partner", OwnerPartnerID: p.ID.String()},
	}
	res, errs, err := UpsertAccounts(ctx, testDB.Pool, rows)
	if err != nil || len(errs) > 0 || res != (Result{Inserted: 2}) {
		t.Fatalf("first: %+v %v %v", res, errs, err)
	}
	res, errs, err = UpsertAccounts(ctx, testDB.Pool, rows[:1])
	if err != nil || len(errs) > 0 || res != (Result{Updated: 1}) {
		t.Fatalf("second: %+v %v %v", res, errs, err)
	}
	var full, reg, label, country string
	if err := testDB.Pool.QueryRow(ctx, "SELECT name_full, registrable_domain, domain_label, country FROM accounts WHERE external_id = 'A-1'").
		Scan(&full, &reg, &label, &country); err != nil {
		t.Fatal(err)
	}
	if full != "mueller maschinenbau" || reg != "mueller-maschinenbau.de" || label != "muellermaschinenbau" || country != "DE" {
		t.Fatalf("stored %q %q %q %q", full, reg, label, country)
	}
}

// A batch with bad rows writes nothing and names every bad row and field.
func TestUpsertAccountsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	rows := []Account{
		{ExternalID: "B-1", Name: "Good Co", OwnerType: "direct"},
		{ExternalID: "B-1", Name: "Twice", OwnerType: "direct"},
		{ExternalID: "", Name: "", Domain: "not a domain", Country: "USA", OwnerType: "someone"},
		{ExternalID: "B-4", Name: "Ghost", OwnerType: "partner", OwnerPartnerID: "00000000-0000-4000-8000-000000000000"},
		{ExternalID: "B-5", Name: "Odd", OwnerType: "partner", OwnerPartnerID: "x", ReservedForDirect: true},
		{ExternalID: "B-6", Name: "Direct", OwnerType: "direct", OwnerPartnerID: "00000000-0000-4000-8000-000000000000"},
	}
	_, errs, err := UpsertAccounts(ctx, testDB.Pool, rows)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range errs {
		got[fmt.Sprintf("%d.%s", e.Row, e.Field)] = true
	}
	for _, want := range []string{"2.external_id", "3.external_id", "3.name", "3.domain", "3.country", "3.owner_type",
		"5.owner_partner_id", "5.reserved_for_direct", "6.owner_partner_id"} {
		if !got[want] {
			t.Errorf("no error %s in %v", want, errs)
		}
	}
	var n int
	if err := testDB.Pool.QueryRow(ctx, "SELECT count(*) FROM accounts WHERE external_id LIKE 'B-%'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows written (%v)", n, err)
	}
	// With the syntax fixed, an unknown partner alone still refuses the batch.
	_, errs, _ = UpsertAccounts(ctx, testDB.Pool, []Account{rows[0], rows[3]})
	if len(errs) != 1 || errs[0].Row != 2 || errs[0].Message != "no such partner" {
		t.Fatalf("unknown partner: %v", errs)
	}
}

// CSV: columns in any order, a byte-order mark, unknown or missing columns
// refused, rows with the wrong field count reported.
func TestReadCSV(t *testing.T) {
	rows, errs, err := ReadAccountsCSV(strings.NewReader("\ufeffname,external_id,owner_type,reserved_for_direct\nAcme,A-9,direct,yes\nGlobex,A-10,direct,false\n"))
	if err != nil || len(rows) != 2 || rows[0].ExternalID != "A-9" || len(errs) != 1 || errs[0].Field != "reserved_for_direct" {
		t.Fatalf("rows %+v errs %v err %v", rows, errs, err)
	}
	if _, _, err := ReadAccountsCSV(strings.NewReader("external_id,nom\n")); err == nil || !strings.Contains(err.Error(), "unknown column") {
		t.Fatalf("unknown column: %v", err)
	}
	if _, _, err := ReadAccountsCSV(strings.NewReader("external_id,name\n")); err == nil || !strings.Contains(err.Error(), "owner_type") {
		t.Fatalf("missing column: %v", err)
	}
	if _, _, err := ReadAccountsCSV(strings.NewReader("")); err == nil {
		t.Fatal("empty file accepted")
	}
	_, errs, err = ReadOpportunitiesCSV(strings.NewReader("external_id,account_name,amount\nO-1,Acme\nO-2,Globex,12x\n"))
	if err != nil || len(errs) != 2 || errs[0].Row != 1 || errs[1].Field != "amount" {
		t.Fatalf("errs %v err %v", errs, err)
	}
}

// Opportunities: amounts need a currency, statuses are known, dates are dates.
func TestUpsertOpportunities(t *testing.T) {
	ctx := context.Background()
	amount, bad := int64(5_000_000), int64(-1)
	res, errs, err := UpsertOpportunities(ctx, testDB.Pool, []Opportunity{
		{ExternalID: "O-1", AccountName: "Vandelay Industries", Domain: "vandelay.com", Amount: &amount, Currency: "usd",
			ProductLines: []string{"Firewall", "vpn"}, CloseDate: "2027-02-01"},
	})
	if err != nil || len(errs) > 0 || res.Inserted != 1 {
		t.Fatalf("%+v %v %v", res, errs, err)
	}
	_, errs, _ = UpsertOpportunities(ctx, testDB.Pool, []Opportunity{
		{ExternalID: "O-2", AccountName: "X", Amount: &bad, Status: "maybe", CloseDate: "soon", ProductLines: []string{"a;b"}},
	})
	if len(errs) != 5 {
		t.Fatalf("errors = %v", errs)
	}
}

// An opportunity's product lines are stored as deals' are
// (domain.NormalizeProductLines): trimmed, lower-cased, each once.
func TestOpportunityProductLinesNormalised(t *testing.T) {
	ctx := context.Background()
	if _, errs, err := UpsertOpportunities(ctx, testDB.Pool, []Opportunity{{ExternalID: "O-PL", AccountName: "Initech",
		ProductLines: []string{"Firewall", " firewall", "VPN"}}}); err != nil || len(errs) > 0 {
		t.Fatalf("%v %v", errs, err)
	}
	var lines []string
	if err := testDB.Pool.QueryRow(ctx, `SELECT product_lines FROM opportunities WHERE external_id = 'O-PL'`).Scan(&lines); err != nil {
		t.Fatal(err)
	}
	if strings.Join(lines, ",") != "firewall,vpn" {
		t.Fatalf("stored %q", lines)
	}
}
