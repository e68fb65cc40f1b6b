package crm

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// token is a made-up word no other test uses, so a test's companies match
// only each other in the package's shared database.
func token() string {
	const letters = "bcdfghjklmnpqrstvwxz"
	b := make([]byte, 9)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return "Q" + string(b)
}

func mustPartnerNamed(t *testing.T, name string) uuid.UUID {
	t.Helper()
	p, err := dbq.New(testDB.Pool).PartnerCreate(context.Background(), dbq.PartnerCreateParams{Name: name, Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func mustUser(t *testing.T, partner uuid.UUID) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if _, err := testDB.Pool.Exec(context.Background(), `INSERT INTO users (id, name, role, partner_id) VALUES ($1, 'Pat', 'partner_admin', $2)`, id, partner); err != nil {
		t.Fatal(err)
	}
	return id
}

func optIn(t *testing.T, partner uuid.UUID, cats ...[2]string) {
	t.Helper()
	p := dbq.MappingOptInAddParams{PartnerID: partner, OptedInBy: mustUser(t, partner), OptedInAt: time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)}
	for _, c := range cats {
		p.PartnerRelations, p.VendorCategories = append(p.PartnerRelations, c[0]), append(p.VendorCategories, c[1])
	}
	if err := dbq.New(testDB.Pool).MappingOptInAdd(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func mustUpsert[T any](t *testing.T, f func(context.Context, T) (Result, []RowError, error), rows T) {
	t.Helper()
	if _, errs, err := f(context.Background(), rows); err != nil || len(errs) > 0 {
		t.Fatalf("upsert: %v %v", errs, err)
	}
}

func accounts(ctx context.Context, rows []Account) (Result, []RowError, error) {
	return UpsertAccounts(ctx, testDB.Pool, rows)
}

func opportunities(ctx context.Context, rows []Opportunity) (Result, []RowError, error) {
	return UpsertOpportunities(ctx, testDB.Pool, rows)
}

func partnerAccounts(partner uuid.UUID) func(context.Context, []PartnerAccount) (Result, []RowError, error) {
	return func(ctx context.Context, rows []PartnerAccount) (Result, []RowError, error) {
		return UpsertPartnerAccounts(ctx, testDB.Pool, partner, rows)
	}
}

// overlapsOf fingerprints partner's overlaps: each pair, its category,
// score and explanation.
func overlapsOf(t *testing.T, partner uuid.UUID) []string {
	t.Helper()
	rows, err := testDB.Pool.Query(context.Background(), `SELECT pa.external_id || ' ' || o.vendor_kind || ' ' || coalesce(a.external_id, op.external_id)
	        || ' ' || o.partner_relation || '/' || o.vendor_category || ' ' || o.score || ' ' || o.class || ' ' || o.explanation
	    FROM account_overlaps o JOIN partner_accounts pa ON pa.id = o.partner_account_id
	    LEFT JOIN accounts a ON o.vendor_kind = 'account' AND a.id = o.vendor_id
	    LEFT JOIN opportunities op ON o.vendor_kind = 'opportunity' AND op.id = o.vendor_id
	    WHERE o.partner_id = $1 ORDER BY 1`, partner)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func mapAll(t *testing.T) {
	t.Helper()
	if _, err := MapAll(context.Background(), testDB.Pool); err != nil {
		t.Fatal(err)
	}
}

// Matching quality on a labeled sample of our own (testdata/
// mapping_labeled.csv: a partner's spelling of a company beside the
// vendor's, same company or not, with hard negatives: one name for two
// companies, subsidiaries, free mail, similar generic names, countries),
// matched by the SQL map exactly as uploads and CRM imports are: a pair is
// predicted the same company when the map stores an overlap for it.
func TestMappingQualityOnLabeledSample(t *testing.T) {
	f, err := os.Open("testdata/mapping_labeled.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	recs = recs[1:]
	partner := mustPartnerNamed(t, "Labeled sample partner")
	run := uuid.NewString()[:8]
	var vendor []Account
	var mine []PartnerAccount
	for i, r := range recs {
		vendor = append(vendor, Account{ExternalID: fmt.Sprintf("LQV-%s-%d", run, i), Name: r[3], Domain: r[4], Country: r[5], OwnerType: "direct"})
		mine = append(mine, PartnerAccount{ExternalID: fmt.Sprintf("LQ-%d", i), Name: r[0], Domain: r[1], Country: r[2], Relation: "customer"})
	}
	mustUpsert(t, accounts, vendor)
	mustUpsert(t, partnerAccounts(partner), mine)
	found := map[string]bool{}
	for _, o := range overlapsOf(t, partner) {
		f := strings.Fields(o)
		found[f[0]+" "+f[2]] = true
	}
	var tp, fp, fn int
	for i, r := range recs {
		same, predicted := r[6] == "1", found[fmt.Sprintf("LQ-%d LQV-%s-%d", i, run, i)]
		switch {
		case same && predicted:
			tp++
		case !same && predicted:
			fp++
			t.Logf("false positive: %s | %s (%s)", strings.Join(r[:3], ", "), strings.Join(r[3:6], ", "), r[7])
		case same && !predicted:
			fn++
			t.Logf("false negative: %s | %s (%s)", strings.Join(r[:3], ", "), strings.Join(r[3:6], ", "), r[7])
		}
	}
	precision, recall := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("%d labeled pairs: precision %.3f, recall %.3f (tp %d, fp %d, fn %d)", len(recs), precision, recall, tp, fp, fn)
	if precision < 0.97 || recall < 0.95 {
		t.Fatalf("precision %.3f (want ≥ 0.97), recall %.3f (want ≥ 0.95)", precision, recall)
	}
	// What the triggers mapped row set by row set equals a full map.
	before := overlapsOf(t, partner)
	mapAll(t)
	if after := overlapsOf(t, partner); strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Fatalf("incremental map differs from the full map:\n%s\n---\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
}

// Categories: the vendor side is the account's relation or an open
// opportunity; an opportunity that is no longer open, or a changed name,
// re-maps incrementally, and the result equals a full map.
func TestMappingCategoriesAndIncrementalRemap(t *testing.T) {
	tok := token()
	partner := mustPartnerNamed(t, "Category partner")
	mustUpsert(t, accounts, []Account{
		{ExternalID: tok + "-A1", Name: tok + " Foods Inc", Domain: tok + "foods.com", Country: "US", OwnerType: "direct"},
		{ExternalID: tok + "-A2", Name: tok + " Motors GmbH", Domain: tok + "motors.de", Country: "DE", OwnerType: "direct", Relation: "prospect"},
	})
	mustUpsert(t, opportunities, []Opportunity{{ExternalID: tok + "-O1", AccountName: tok + " Foods", Domain: "www." + tok + "foods.com", Status: "open"}})
	mustUpsert(t, partnerAccounts(partner), []PartnerAccount{
		{ExternalID: "P1", Name: strings.ToUpper(tok) + " FOODS LLC", Domain: "https://" + tok + "foods.com", Country: "US", Relation: "customer"},
		{ExternalID: "P2", Name: tok + " Motors", Country: "DE", Relation: "prospect"},
		{ExternalID: "P3", Name: tok + "x Unrelated Bakery", Domain: "gmail.com", Relation: "prospect"},
	})
	got := overlapsOf(t, partner)
	want := []string{
		"P1 account " + tok + "-A1 customer/customer 1.000 duplicate same registrable domain " + strings.ToLower(tok) + "foods.com",
		"P1 opportunity " + tok + "-O1 customer/opportunity 1.000 duplicate same registrable domain " + strings.ToLower(tok) + "foods.com",
		"P2 account " + tok + "-A2 prospect/prospect 1.000 duplicate names",
	}
	if len(got) != len(want) {
		t.Fatalf("overlaps:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("overlap %d: %q, want it to start %q", i, got[i], want[i])
		}
	}
	// The opportunity is won: it leaves the map. A2 is renamed: it leaves
	// too. P3 is renamed to match A1: it joins.
	mustUpsert(t, opportunities, []Opportunity{{ExternalID: tok + "-O1", AccountName: tok + " Foods", Domain: "www." + tok + "foods.com", Status: "won"}})
	mustUpsert(t, accounts, []Account{{ExternalID: tok + "-A2", Name: "Entirely Other " + tok + "zz Motors", Domain: "other" + tok + ".de", Country: "DE", OwnerType: "direct"}})
	mustUpsert(t, partnerAccounts(partner), []PartnerAccount{{ExternalID: "P3", Name: tok + " Foods", Country: "US", Relation: "prospect"}})
	got = overlapsOf(t, partner)
	if len(got) != 2 || !strings.HasPrefix(got[0], "P1 account "+tok+"-A1 customer/customer") || !strings.HasPrefix(got[1], "P3 account "+tok+"-A1 prospect/customer") {
		t.Fatalf("after the changes:\n%s", strings.Join(got, "\n"))
	}
	mapAll(t)
	if after := overlapsOf(t, partner); strings.Join(after, "\n") != strings.Join(got, "\n") {
		t.Fatalf("incremental re-map differs from the full map:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(after, "\n"))
	}
}

// Privacy: a partner reads only its own accounts' overlaps, only in the
// categories it opted into, and only the vendor's category; the vendor's
// readers see a partner's overlaps only in its opted-in categories, and a
// seller only on the accounts they own.
func TestMappingPrivacyAndOptIn(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	tok := token()
	a, b := mustPartnerNamed(t, "Partner A "+tok), mustPartnerNamed(t, "Partner B "+tok)
	mustUpsert(t, accounts, []Account{
		{ExternalID: tok + "-V1", Name: tok + " Hotels Ltd", Domain: tok + "hotels.co.uk", Country: "GB", OwnerType: "direct", OwnerEmail: "sam@vendor.example"},
		{ExternalID: tok + "-V2", Name: tok + " Freight", Domain: tok + "freight.com", Country: "US", OwnerType: "direct", OwnerEmail: "kim@vendor.example"},
	})
	mustUpsert(t, partnerAccounts(a), []PartnerAccount{
		{ExternalID: "A1", Name: tok + " Hotels", Domain: tok + "hotels.co.uk", Relation: "customer"},
		{ExternalID: "A2", Name: tok + " Freight Inc", Domain: tok + "freight.com", Relation: "prospect"},
	})
	mustUpsert(t, partnerAccounts(b), []PartnerAccount{{ExternalID: "B1", Name: tok + " Hotels Limited", Domain: "www." + tok + "hotels.co.uk", Relation: "customer"}})
	report := func(p uuid.UUID) []dbq.MappingPartnerOverlapsRow {
		rows, err := q.MappingPartnerOverlaps(ctx, dbq.MappingPartnerOverlapsParams{PartnerID: p, MaxRows: 100})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	vendor := func(seller string, filter string) []dbq.MappingVendorOverlapsRow {
		s := pgtype.Text{String: seller, Valid: seller != ""}
		rows, err := q.MappingVendorOverlaps(ctx, dbq.MappingVendorOverlapsParams{ScopeSellerEmail: s, Q: filter, MaxRows: 100})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if r := report(a); len(r) != 0 {
		t.Fatalf("before opting in, partner A reads %+v", r)
	}
	if r := vendor("", tok); len(r) != 0 {
		t.Fatalf("before anyone opts in, the vendor reads %+v", r)
	}
	optIn(t, a, [2]string{"customer", "customer"})
	r := report(a)
	if len(r) != 1 || r[0].ExternalID != "A1" || r[0].VendorCategory != "customer" {
		t.Fatalf("partner A reads %+v, want only A1 (its prospect A2 is not opted in)", r)
	}
	if r := report(b); len(r) != 0 {
		t.Fatalf("partner B, not opted in, reads %+v", r)
	}
	v := vendor("", tok)
	if len(v) != 1 || v[0].PartnerID != a || v[0].PartnerExternalID != "A1" {
		t.Fatalf("the vendor reads %+v, want A1 of partner A only", v)
	}
	if v := vendor("kim@vendor.example", tok); len(v) != 0 {
		t.Fatalf("seller kim reads %+v about sam's account", v)
	}
	if v := vendor("sam@vendor.example", tok); len(v) != 1 {
		t.Fatalf("seller sam reads %+v", v)
	}
	sellers, err := q.MappingSellerPartners(ctx, pgtype.Text{String: "sam@vendor.example", Valid: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sellers {
		if strings.Contains(s.AccountName, tok) {
			names = append(names, s.PartnerName)
		}
	}
	if strings.Join(names, ",") != "Partner A "+tok {
		t.Fatalf("sam's accounts are known to %v, want partner A only (B did not opt in)", names)
	}
	optIn(t, b, [2]string{"customer", "customer"})
	for _, row := range report(b) {
		if row.ExternalID != "B1" {
			t.Fatalf("partner B reads %+v, which is not its own", row)
		}
	}
	for _, row := range report(a) {
		if row.ExternalID != "A1" {
			t.Fatalf("partner A reads %+v, which is not its own", row)
		}
	}
}
