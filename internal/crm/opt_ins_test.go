package crm

import (
	"context"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// Saving the opt-ins again keeps when and by whom each category still
// shared was first opted into; a category left out is withdrawn, a new one
// records its own opt-in, and saving none withdraws all. The consent
// history keeps every opt-in and withdrawal with who and when, and
// refuses to be rewritten.
func TestSetOptInsKeepsFirstOptIns(t *testing.T) {
	ctx := context.Background()
	partner := mustPartnerNamed(t, "Opt-in keeper")
	first, second := mustUser(t, partner), uuid.New()
	if _, err := testDB.Pool.Exec(ctx, `INSERT INTO users (id, name, role, partner_id) VALUES ($1, 'Quinn', 'partner_admin', $2)`,
		second, partner); err != nil {
		t.Fatal(err)
	}
	t1, t2 := time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	if err := SetOptIns(ctx, testDB.Pool, partner, first, t1, []OptIn{{"customer", "customer"}, {"customer", "opportunity"}}); err != nil {
		t.Fatal(err)
	}
	if err := SetOptIns(ctx, testDB.Pool, partner, second, t2, []OptIn{{"customer", "opportunity"}, {"prospect", "customer"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := testDB.Pool.Query(ctx, `SELECT partner_relation, vendor_category, opted_in_by, opted_in_at FROM mapping_opt_ins
	    WHERE partner_id = $1 ORDER BY 1, 2`, partner)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		rel, cat string
		by       [16]byte
		at       time.Time
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.rel, &r.cat, &r.by, &r.at); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []row{{"customer", "opportunity", first, t1}, {"prospect", "customer", second, t2}}
	if len(got) != len(want) {
		t.Fatalf("opt-ins %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].rel != want[i].rel || got[i].cat != want[i].cat || got[i].by != want[i].by || !got[i].at.Equal(want[i].at) {
			t.Errorf("opt-in %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if err := SetOptIns(ctx, testDB.Pool, partner, second, t2, nil); err != nil {
		t.Fatal(err)
	}
	if left, err := dbq.New(testDB.Pool).MappingOptInList(ctx, partner); err != nil || len(left) != 0 {
		t.Fatalf("after withdrawing all: %+v %v", left, err)
	}
	t3 := t2.Add(time.Minute)
	if err := SetOptIns(ctx, testDB.Pool, partner, first, t3, []OptIn{{"customer", "customer"}}); err != nil {
		t.Fatal(err)
	}
	if err := SetOptIns(ctx, testDB.Pool, partner, first, t3, []OptIn{{"customer", "customer"}}); err != nil {
		t.Fatal(err) // saved again unchanged: no event
	}
	history, err := dbq.New(testDB.Pool).MappingOptInHistory(ctx, partner)
	if err != nil {
		t.Fatal(err)
	}
	type event struct {
		rel, cat, action string
		by               uuid.UUID
		at               time.Time
	}
	wantHistory := []event{
		{"customer", "customer", "opted_in", first, t1}, {"customer", "opportunity", "opted_in", first, t1},
		{"customer", "customer", "withdrawn", second, t2}, {"prospect", "customer", "opted_in", second, t2},
		{"customer", "opportunity", "withdrawn", second, t2}, {"prospect", "customer", "withdrawn", second, t2},
		{"customer", "customer", "opted_in", first, t3},
	}
	if len(history) != len(wantHistory) {
		t.Fatalf("history %+v, want %+v", history, wantHistory)
	}
	for i, w := range wantHistory {
		h := history[i]
		if h.PartnerRelation != w.rel || h.VendorCategory != w.cat || h.Action != w.action || h.ActorID != w.by || !h.OccurredAt.Equal(w.at) {
			t.Errorf("history %d: %+v, want %+v", i, h, w)
		}
	}
	if history[0].ActorName == "" {
		t.Errorf("history names no actor: %+v", history[0])
	}
	if _, err := testDB.Pool.Exec(ctx, `DELETE FROM mapping_opt_in_events WHERE partner_id = $1`, partner); err == nil {
		t.Fatal("the consent history was deleted")
	}
}
