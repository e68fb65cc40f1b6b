package crm

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MapAll scores in Go (domain.Compare) what the re-map scores in SQL
// (mapping_compare); a full map equals the incremental one only if the two
// agree to the last digit of score and explanation. Every labeled pair,
// and every pair of a partner's name with a few other vendor names and a
// typo of its own (so that scores spread from 0 to 1), is scored both
// ways.
func TestMapAllScoresAsTheDatabase(t *testing.T) {
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
	type side struct{ name, domain, country string }
	var as, bs []side
	r := rand.New(rand.NewPCG(7, 11))
	for i, rec := range recs {
		a := side{rec[0], rec[1], rec[2]}
		as, bs = append(as, a), append(bs, side{rec[3], rec[4], rec[5]})
		for range 3 {
			o := recs[r.IntN(len(recs))]
			as, bs = append(as, a), append(bs, side{o[3], o[4], o[5]})
		}
		typo := []rune(rec[3])
		if j := r.IntN(len(typo)); len(typo) > 3 {
			typo[j] = 'x'
		}
		as, bs = append(as, a), append(bs, side{string(typo), "", recs[i][5]})
	}
	var errs []RowError
	norm := func(s side) (customerFields, domain.Party) {
		c := checkCustomer(1, "x", "name", s.name, s.domain, s.country, &errs)
		return c, domain.Party{Name: domain.CompanyName{Full: c.full, Core: c.core}, Registrable: c.registrable, Country: s.country}
	}
	var cols [10][]string
	goMatches := make([]domain.Match, len(as))
	for i := range as {
		ca, pa := norm(as[i])
		cb, pb := norm(bs[i])
		goMatches[i] = domain.Compare(pa, pb, domain.DefaultMatchThresholds)
		for j, v := range []string{ca.full, ca.core, ca.registrable, ca.label, as[i].country, cb.full, cb.core, cb.registrable, cb.label, bs[i].country} {
			cols[j] = append(cols[j], v)
		}
	}
	if len(errs) > 0 {
		t.Fatalf("the sample does not normalize: %v", errs[0])
	}
	rows, err := testDB.Pool.Query(context.Background(), `SELECT m.score::float8, m.explanation
	    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
	         WITH ORDINALITY AS p(af, ac, ar, al, ay, bf, bc, br, bl, by, n)
	    CROSS JOIN LATERAL mapping_compare(af, ac, ar, al, ay, bf, bc, br, bl, by) m
	    ORDER BY n`, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var i, likely int
	for ; rows.Next(); i++ {
		var score float64
		var explanation string
		if err := rows.Scan(&score, &explanation); err != nil {
			t.Fatal(err)
		}
		g := goMatches[i]
		if score >= domain.DefaultMatchThresholds.Likely {
			likely++
		}
		if g.Score != score || g.Explanation != explanation {
			t.Errorf("%q | %q:\n Go       %.3f %s\n database %.3f %s", as[i].name, bs[i].name, g.Score, g.Explanation, score, explanation)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(as) || likely < len(recs)/2 {
		t.Fatalf("%d pairs scored of %d, %d likely: the sample proves nothing", i, len(as), likely)
	}
	t.Logf("%d pairs scored alike, %d of them at least likely", i, likely)
}

// Changes made while the re-map triggers are deferred (a bulk load) are
// mapped by MapAll, which writes only the difference: an overlap that
// appears, one that goes, one whose score changes. The result is what the
// re-map gives for the same accounts.
func TestMapAllWritesTheDifference(t *testing.T) {
	ctx := context.Background()
	tok := token()
	partner := mustPartnerNamed(t, "Bulk partner")
	mustUpsert(t, accounts, []Account{
		{ExternalID: tok + "-B1", Name: tok + " Foods Inc", Domain: tok + "foods.com", Country: "US", OwnerType: "direct"},
		{ExternalID: tok + "-B2", Name: tok + " Motors GmbH", Country: "DE", OwnerType: "direct"},
	})
	mustUpsert(t, partnerAccounts(partner), []PartnerAccount{
		{ExternalID: "Q1", Name: tok + " Foods", Domain: tok + "foods.com", Country: "US", Relation: "customer"},
		{ExternalID: "Q2", Name: tok + " Motors", Country: "DE", Relation: "customer"},
		{ExternalID: "Q3", Name: tok + " Solar Farms", Country: "ES", Relation: "prospect"},
	})
	before := overlapsOf(t, partner)
	if len(before) != 2 {
		t.Fatalf("before: %q", before)
	}
	// A bulk load: B1 gets a typo (its score drops), B2 goes to another
	// company (its overlap goes), B3 is Q3's company (one appears).
	tx, err := testDB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL dealflow.mapping_defer = on"); err != nil {
		t.Fatal(err)
	}
	set := func(id, name string) {
		t.Helper()
		n := domain.NormalizeName(name)
		if _, err := tx.Exec(ctx, `UPDATE accounts SET name = $2, name_full = $3, name_core = $4, name_keys = $5 WHERE external_id = $1`,
			id, name, n.Full, n.Core, domain.NameKeys(n)); err != nil {
			t.Fatal(err)
		}
	}
	set(tok+"-B1", tok+" Fodos Inc")
	set(tok+"-B2", "Wholly Other "+tok+"qq Motors GmbH")
	n := domain.NormalizeName(tok + " Solar Farms SL")
	if _, err := tx.Exec(ctx, `INSERT INTO accounts (external_id, owner_type, name, name_full, name_core, name_keys, country)
	    VALUES ($1, 'direct', $2, $3, $4, $5, 'ES')`, tok+"-B3", tok+" Solar Farms SL", n.Full, n.Core, domain.NameKeys(n)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := overlapsOf(t, partner); strings.Join(got, "\n") != strings.Join(before, "\n") {
		t.Fatalf("the deferred load re-mapped: %q", got)
	}
	mapAll(t)
	full := overlapsOf(t, partner)
	if len(full) != 2 || !strings.Contains(full[0], "Q1 account "+tok+"-B1 customer/customer") || full[0] == before[0] ||
		!strings.Contains(full[1], "Q3 account "+tok+"-B3 prospect/customer") {
		t.Fatalf("after the full map:\n%s\nbefore:\n%s", strings.Join(full, "\n"), strings.Join(before, "\n"))
	}
	if _, err := testDB.Pool.Exec(ctx, `SELECT mapping_remap(ARRAY(SELECT id FROM partner_accounts WHERE partner_id = $1), NULL, NULL)`, partner); err != nil {
		t.Fatal(err)
	}
	if remapped := overlapsOf(t, partner); strings.Join(remapped, "\n") != strings.Join(full, "\n") {
		t.Fatalf("the full map differs from the re-map:\n%s\n---\n%s", strings.Join(full, "\n"), strings.Join(remapped, "\n"))
	}
}

// Vendor batches are filled again once matched, their text overwritten: a
// map in batches of three rows (the vendor records pass through the same
// few batches dozens of times) writes what the re-map writes, every
// explanation with the names of its own pair.
func TestMapAllInSmallBatchesIsTheReMap(t *testing.T) {
	ctx := context.Background()
	tok := token()
	partner := mustPartnerNamed(t, "Batch partner")
	var vendors []Account
	var theirs []PartnerAccount
	for i := range 120 {
		company := fmt.Sprintf("%s %s %d", tok, []string{"Foods", "Motors", "Solar Farms", "Logistics"}[i%4], i)
		vendors = append(vendors, Account{ExternalID: fmt.Sprintf("%s-V%d", tok, i), Name: company + " Inc", Country: "US", OwnerType: "direct"})
		if i%2 == 0 {
			theirs = append(theirs, PartnerAccount{ExternalID: fmt.Sprintf("P%d", i), Name: company, Country: "US", Relation: "customer"})
		}
	}
	mustUpsert(t, accounts, vendors)
	mustUpsert(t, partnerAccounts(partner), theirs)
	remapped := overlapsOf(t, partner)
	if len(remapped) < len(theirs) {
		t.Fatalf("the re-map found %d overlaps for %d accounts: %q", len(remapped), len(theirs), remapped)
	}
	before := mapBatch
	mapBatch = 3
	defer func() { mapBatch = before }()
	if _, err := testDB.Pool.Exec(ctx, `DELETE FROM account_overlaps WHERE partner_id = $1`, partner); err != nil {
		t.Fatal(err)
	}
	mapAll(t)
	if full := overlapsOf(t, partner); strings.Join(full, "\n") != strings.Join(remapped, "\n") {
		t.Fatalf("the map in small batches differs from the re-map:\n%s\n---\n%s", strings.Join(full, "\n"), strings.Join(remapped, "\n"))
	}
}

// A deleted partner account takes its overlaps along (the statement
// trigger that stands for the foreign key's cascade), and a full map then
// writes nothing back.
func TestDeletedPartnerAccountLeavesTheMap(t *testing.T) {
	ctx := context.Background()
	tok := token()
	partner := mustPartnerNamed(t, "Leaving partner")
	mustUpsert(t, accounts, []Account{{ExternalID: tok + "-D1", Name: tok + " Dairy Inc", Domain: tok + "dairy.com", Country: "US", OwnerType: "direct"}})
	mustUpsert(t, partnerAccounts(partner), []PartnerAccount{
		{ExternalID: "D1", Name: tok + " Dairy", Domain: tok + "dairy.com", Country: "US", Relation: "customer"},
		{ExternalID: "D2", Name: tok + " Dairy Incorporated", Country: "US", Relation: "prospect"},
	})
	if got := overlapsOf(t, partner); len(got) != 2 {
		t.Fatalf("before: %q", got)
	}
	if _, err := testDB.Pool.Exec(ctx, `DELETE FROM partner_accounts WHERE partner_id = $1 AND external_id = 'D1'`, partner); err != nil {
		t.Fatal(err)
	}
	got := overlapsOf(t, partner)
	if len(got) != 1 || !strings.HasPrefix(got[0], "D2 ") {
		t.Fatalf("after the delete: %q", got)
	}
	mapAll(t)
	if after := overlapsOf(t, partner); strings.Join(after, "\n") != strings.Join(got, "\n") {
		t.Fatalf("the full map differs: %q", after)
	}
}

// A pool too small for the map's connections is an error at once, not a
// map that waits for a connection forever.
func TestMapAllRefusesAPoolTooSmall(t *testing.T) {
	ctx := context.Background()
	cfg := testDB.Pool.Config()
	cfg.MaxConns = mapConns - 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := MapAll(ctx, pool); err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
		t.Fatalf("MapAll on a pool of %d: %v", cfg.MaxConns, err)
	}
}

// Stopping the vendor feed mid-stream, its streams blocked on a full
// queue, ends them and gives their connections back: a map that fails
// while the vendor's side streams leaves nothing running.
func TestVendorFeedStopsMidStream(t *testing.T) {
	ctx := context.Background()
	tok := token()
	var vendors []Account
	for i := range 40 {
		vendors = append(vendors, Account{ExternalID: fmt.Sprintf("%s-F%d", tok, i), Name: fmt.Sprintf("%s Feed %d", tok, i), OwnerType: "direct"})
	}
	mustUpsert(t, accounts, vendors)
	pool, err := pgxpool.NewWithConfig(ctx, testDB.Pool.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	before := mapBatch
	mapBatch = 2
	defer func() { mapBatch = before }()
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var snapshot string
	var blocks int64
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot(), pg_relation_size('accounts') / current_setting('block_size')::int`).Scan(&snapshot, &blocks); err != nil {
		t.Fatal(err)
	}
	f := startVendorFeed(ctx, pool, snapshot, vendorStreams(blocks))
	<-f.work
	for deadline := time.Now().Add(10 * time.Second); len(f.work) < cap(f.work); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the streams queued %d batches of %d", len(f.work), cap(f.work))
		}
	}
	stopped := make(chan struct{})
	go func() { f.stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the feed does not stop")
	}
	// A connection stopped mid-query is closed rather than reused, which
	// the pool finishes on its own.
	for deadline := time.Now().Add(10 * time.Second); pool.Stat().AcquiredConns() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) { // 1: the test's own transaction
			t.Fatalf("%d connections held after the feed stopped", pool.Stat().AcquiredConns())
		}
	}
}

// The collector's target raised while partner accounts load comes back to
// what it was once the last of two overlapping loads ends, and a higher
// target is left as it is.
func TestRaisedGCTargetIsRestored(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	lowerA := raiseGC()
	lowerB := raiseGC()
	lowerA()
	if got := debug.SetGCPercent(mapLoadGC); got != mapLoadGC {
		t.Fatalf("with one load still on, the target is %d", got)
	}
	lowerB()
	if got := debug.SetGCPercent(800); got != 100 {
		t.Fatalf("after both loads, the target is %d, want 100", got)
	}
	raiseGC()()
	if got := debug.SetGCPercent(100); got != 800 {
		t.Fatalf("a target of 800 became %d", got)
	}
}
