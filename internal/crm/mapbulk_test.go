package crm

import (
	"context"
	"strings"
	"testing"
)

// A map into an empty table sets the primary key and the vendor index
// aside while it copies and builds them again before it commits (once the
// vendor's side is read, copying the last batches' overlaps after): the table
// ends with the indexes it had (same names, same definitions), holding
// what a map over the stored overlaps holds (which writes nothing), and a
// second row with a stored key is refused by the primary key again.
func TestMapIntoAnEmptyTableBuildsItsIndexesAgain(t *testing.T) {
	ctx := context.Background()
	tok := token()
	partner := mustPartnerNamed(t, "Empty-table partner")
	mustUpsert(t, accounts, []Account{
		{ExternalID: tok + "-E1", Name: tok + " Dairy Inc", Domain: tok + "dairy.com", Country: "US", OwnerType: "direct"},
		{ExternalID: tok + "-E2", Name: tok + " Mining AG", Country: "CH", OwnerType: "direct"},
	})
	mustUpsert(t, partnerAccounts(partner), []PartnerAccount{
		{ExternalID: "E1", Name: tok + " Dairy", Domain: tok + "dairy.com", Country: "US", Relation: "customer"},
		{ExternalID: "E2", Name: tok + " Minning AG", Country: "CH", Relation: "prospect"},
	})
	indexes := func() string {
		t.Helper()
		var defs string
		if err := testDB.Pool.QueryRow(ctx, `SELECT string_agg(indexname || ': ' || indexdef, E'\n' ORDER BY indexname)
		    FROM pg_indexes WHERE tablename = 'account_overlaps'`).Scan(&defs); err != nil {
			t.Fatal(err)
		}
		return defs
	}
	before := indexes()
	for _, name := range mapBuiltAfter {
		if !strings.Contains(before, name+":") {
			t.Fatalf("account_overlaps has no index %s to set aside:\n%s", name, before)
		}
	}
	if _, err := testDB.Pool.Exec(ctx, "DELETE FROM account_overlaps"); err != nil {
		t.Fatal(err)
	}
	// In batches of a few rows, so that the indexes are built while
	// batches are still matched, and their overlaps copied in after.
	defer func(b int) { mapBatch = b }(mapBatch)
	mapBatch = 3
	empty, err := MapAll(ctx, testDB.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if after := indexes(); after != before {
		t.Fatalf("indexes after a map into an empty table:\n%s\nbefore:\n%s", after, before)
	}
	got := overlapsOf(t, partner)
	if len(got) == 0 {
		t.Fatalf("overlaps: %q", got)
	}
	again, err := MapAll(ctx, testDB.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if again != empty || strings.Join(overlapsOf(t, partner), "\n") != strings.Join(got, "\n") {
		t.Fatalf("a map over the stored overlaps: %d overlaps, after the empty table's %d", again, empty)
	}
	_, err = testDB.Pool.Exec(ctx, `INSERT INTO account_overlaps SELECT * FROM account_overlaps LIMIT 1`)
	if err == nil || !strings.Contains(err.Error(), "account_overlaps_pkey") {
		t.Fatalf("a stored key inserted again: %v", err)
	}
}
