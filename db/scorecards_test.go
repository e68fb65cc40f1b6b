package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/read"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// scorecardWorld is the worked example of the scorecard tests: partner A
// with five registrations from January to March 2025 (and one in May),
// partner B with one, A's payouts and lead offers.
type scorecardWorld struct {
	a, b    dbq.Partner
	program uuid.UUID
}

// at is a day of 2025 at midnight UTC, plus a duration.
func at(month time.Month, day int, plus time.Duration) time.Time {
	return time.Date(2025, month, day, 0, 0, 0, 0, time.UTC).Add(plus)
}

// scorecardDeal inserts a deal of partner registered at created, with its
// events (to_status at time) and its final status, program and won value.
func scorecardDeal(t *testing.T, pool *pgxpool.Pool, q *dbq.Queries, partner dbq.Partner, program uuid.NullUUID, created time.Time,
	wonAmount int64, wonCurrency string, events ...any) {
	t.Helper()
	ctx := context.Background()
	u, err := q.UserEnsure(ctx, dbq.UserEnsureParams{Name: "rep", Role: "partner_user", PartnerID: uuid.NullUUID{UUID: partner.ID, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7())
	if _, err := q.DealInsert(ctx, dbq.DealInsertParams{
		ID: id, PartnerID: partner.ID, Status: "pending_approval", Kind: "resale", ProgramID: program, CustomerNameKeys: []int64{},
		CustomerName: "Acme", CustomerDomain: "acme.com", CustomerRegistrableDomain: "acme.com", CustomerCountry: "US",
		ContactName: "Jane", ContactEmail: "jane@acme.com", ProductLines: []string{"firewall"}, Amount: 100, Currency: "USD",
		ExpectedCloseDate: created, SubmittedBy: u.ID, WorkflowID: "deal/" + id.String(), CreatedAt: created,
	}); err != nil {
		t.Fatal(err)
	}
	steps := append([]any{"pending_approval", created}, events...)
	from := ""
	for i := 0; i < len(steps); i += 2 {
		to, when := steps[i].(string), steps[i+1].(time.Time)
		p := dbq.DealEventInsertParams{DealID: id, Seq: int32(i/2 + 1), Type: to, ToStatus: to, ActorID: u.ID.String(), ActorName: "rep",
			ActorRole: "partner_user", Payload: []byte(`{}`), OccurredAt: when}
		if from != "" {
			p.FromStatus.String, p.FromStatus.Valid = from, true
		}
		if _, err := q.DealEventInsert(ctx, p); err != nil {
			t.Fatal(err)
		}
		from = to
	}
	var wa *int64
	var wc *string
	if wonCurrency != "" {
		wa, wc = &wonAmount, &wonCurrency
	}
	if _, err := pool.Exec(ctx, `UPDATE deals SET status = $2, last_event_seq = $3, won_amount = $4, won_currency = $5 WHERE id = $1`,
		id, from, len(steps)/2, wa, wc); err != nil {
		t.Fatal(err)
	}
}

// newScorecardWorld writes the worked example (see the expectations in
// TestPartnerScorecardFigures).
func newScorecardWorld(t *testing.T) scorecardWorld {
	t.Helper()
	ctx := context.Background()
	pool, q := testDB.Pool, dbq.New(testDB.Pool)
	w := scorecardWorld{a: mustPartner(t, q, "Scorecard A "+uuid.NewString()[:8]), b: mustPartner(t, q, "Scorecard B "+uuid.NewString()[:8])}
	prog, err := q.ProgramCreate(ctx, dbq.ProgramCreateParams{Name: "Scorecard program " + uuid.NewString()[:8], Policy: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	w.program = prog.ID
	p1 := uuid.NullUUID{UUID: prog.ID, Valid: true}
	h := time.Hour
	// d1 (program): approved after 2 h, won 10 days after approval, 1,000.00 USD.
	scorecardDeal(t, pool, q, w.a, p1, at(1, 10, 0), 100000, "USD", "approved", at(1, 10, 2*h), "closed_won", at(1, 10, 2*h+240*h))
	// d2 (program): information asked after 4 h, approved after 30 h, lost.
	scorecardDeal(t, pool, q, w.a, p1, at(1, 20, 0), 0, "", "info_requested", at(1, 20, 4*h), "pending_approval", at(1, 21, 0),
		"approved", at(1, 20, 30*h), "closed_lost", at(2, 1, 0))
	// d3: rejected after 8 h.
	scorecardDeal(t, pool, q, w.a, uuid.NullUUID{}, at(2, 5, 0), 0, "", "rejected", at(2, 5, 8*h))
	// d4: still awaiting a decision.
	scorecardDeal(t, pool, q, w.a, uuid.NullUUID{}, at(2, 10, 0), 0, "")
	// d5: approved after 6 h, won 20 days after approval, 500.00 EUR.
	scorecardDeal(t, pool, q, w.a, uuid.NullUUID{}, at(3, 1, 0), 50000, "EUR", "approved", at(3, 1, 6*h), "closed_won", at(3, 1, 6*h+480*h))
	// d6: registered in May, outside the period.
	scorecardDeal(t, pool, q, w.a, uuid.NullUUID{}, at(5, 1, 0), 70000, "USD", "approved", at(5, 1, h), "closed_won", at(5, 2, 0))
	// Partner B's one deal, approved after 1 h.
	scorecardDeal(t, pool, q, w.b, p1, at(1, 15, 0), 0, "", "approved", at(1, 15, h))

	// Payouts: 25.00 and 15.00 USD paid to A in the period, 9.99 in April,
	// one with nothing due; 7.00 USD to B.
	code := "sc-" + uuid.NewString()[:8]
	var ip uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO incentive_programs (code, name, kind, currency, period, grace_days, starts_on, created_by)
		VALUES ($1, 'Scorecard SPIFF', 'spiff', 'USD', 'month', 0, '2024-01-01', 'test') RETURNING id`, code).Scan(&ip); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO incentive_program_versions (program_id, version, rules, created_by) VALUES ($1, 1, '{}', 'test')`, ip); err != nil {
		t.Fatal(err)
	}
	for i, p := range []struct {
		partner uuid.UUID
		amount  int64
		status  string
		posted  time.Time
	}{{w.a.ID, 2500, "payable", at(2, 15, 0)}, {w.a.ID, 1500, "payable", at(3, 20, 0)}, {w.a.ID, 999, "payable", at(4, 10, 0)},
		{w.a.ID, 0, "nothing_due", at(2, 28, 0)}, {w.b.ID, 700, "payable", at(2, 15, 0)}} {
		cycle := uuid.New()
		start := time.Date(2020+i, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := pool.Exec(ctx, `INSERT INTO incentive_cycles (id, program_id, program_version, period_start, period_end, status, workflow_id, started_by)
			VALUES ($1, $2, 1, $3, $4, 'paid', $5, 'test')`, cycle, ip, start, start.AddDate(0, 1, 0), "cycle/"+cycle.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO payouts (cycle_id, partner_id, amount, currency, lines, status, posted_at) VALUES ($1, $2, $3, 'USD', 1, $4, $5)`,
			cycle, p.partner, p.amount, p.status, p.posted); err != nil {
			t.Fatal(err)
		}
	}

	// Leads offered to A: accepted after 3 h (in the program), declined,
	// timed out, and one in June (outside the period).
	for _, o := range []struct {
		program uuid.UUID
		outcome string
		offered time.Time
		decided time.Duration
	}{{prog.ID, "accepted", at(1, 5, 0), 3 * h}, {defaultProgram(t), "declined", at(2, 1, 0), 5 * h}, {defaultProgram(t), "timed_out", at(3, 1, 0), 48 * h},
		{prog.ID, "accepted", at(6, 1, 0), h}} {
		lead := uuid.New()
		if _, err := pool.Exec(ctx, `INSERT INTO leads (id, program_id, source, status, company_name, company_domain, registrable_domain, country,
			contact_name, contact_email, product_lines, amount, currency, workflow_id, created_by, last_event_seq, created_at, updated_at)
			VALUES ($1, $2, 'vendor', 'offered', 'Lead Co', 'lead.example', 'lead.example', 'US', 'Lee', 'lee@lead.example', '{vpn}', 0, 'USD',
			$3, 'test', 1, $4, $4)`, lead, o.program, "lead/"+lead.String(), o.offered); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO lead_offers (lead_id, round, partner_id, offered_at, due_at, outcome, decided_at)
			VALUES ($1, 1, $2, $3, $4, $5, $6)`, lead, w.a.ID, o.offered, o.offered.Add(48*h), o.outcome, o.offered.Add(o.decided)); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func defaultProgram(t *testing.T) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT id FROM programs WHERE is_default`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func f64(v float64) *float64 { return &v }

func same(t *testing.T, what string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s: got %v, want %v", what, fmtP(got), fmtP(want))
	case *got-*want > 1e-6 || *want-*got > 1e-6:
		t.Errorf("%s: got %v, want %v", what, *got, *want)
	}
}

func fmtP(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// The scorecard's figures against the worked example, computed by hand.
// Period January to March 2025, partner A:
//   - registered d1..d5 = 5 (d6 is May's); approved d1, d2, d5 = 3;
//     rejected d3 = 1; won d1, d5 = 2; lost d2 = 1; approval rate 3 / (3 + 1)
//     = 0.75; win rate 2 / (2 + 1);
//   - first decisions after 2 h (d1), 4 h (d2's information request), 8 h
//     (d3), 6 h (d5): sorted 2, 4, 6, 8 h; median (4 + 6) / 2 = 5 h = 18,000 s;
//     90th percentile at rank 0.9 × 3 = 2.7: 6 + 0.7 × (8 − 6) = 7.4 h =
//     26,640 s;
//   - approval to win: 10 days (d1), 20 days (d5): median 15 days =
//     1,296,000 s; 90th percentile 10 + 0.9 × 10 = 19 days = 1,641,600 s;
//   - won 1,000.00 USD and 500.00 EUR; paid 25.00 + 15.00 = 40.00 USD in
//     two payouts (April's 9.99 and the nothing-due are not);
//   - leads: 3 offered, 1 accepted after 3 h, 1 declined, 1 timed out.
//
// In the program alone: d1, d2: registered 2, approved 2, won 1, lost 1,
// approval rate 1, win rate 0.5; decisions 2 and 4 h: median 3 h = 10,800
// s, 90th percentile 2 + 0.9 × 2 = 3.8 h = 13,680 s; approval to win 10
// days = 864,000 s; won 1,000.00 USD; leads: the one accepted.
func TestPartnerScorecardFigures(t *testing.T) {
	ctx := context.Background()
	w := newScorecardWorld(t)
	rd := read.New(testDB.Pool, nil)
	period := read.Period{From: at(1, 1, 0), To: at(3, 1, 0)}
	one := func(scope, partner uuid.NullUUID, f read.Filter) read.Scorecard {
		t.Helper()
		cards, err := rd.Scorecards(ctx, scope, partner, f)
		if err != nil || len(cards) != 1 {
			t.Fatalf("scorecards: %d, %v", len(cards), err)
		}
		return cards[0]
	}
	a := uuid.NullUUID{UUID: w.a.ID, Valid: true}
	sc := one(uuid.NullUUID{}, a, read.Filter{Period: period})
	d := sc.Deals
	if d.Registered != 5 || d.Approved != 3 || d.Rejected != 1 || d.Won != 2 || d.Lost != 1 {
		t.Errorf("deals: %+v", d)
	}
	same(t, "approval rate", d.ApprovalRate, f64(0.75))
	same(t, "win rate", d.WinRate, f64(2.0/3))
	rt := sc.ResponseTimes
	if rt.Decided != 4 || rt.WonAfterApproval != 2 {
		t.Errorf("measured: %+v", rt)
	}
	same(t, "decision median", rt.DecisionMedianSecond, f64(18000))
	same(t, "decision p90", rt.DecisionP90Second, f64(26640))
	same(t, "win median", rt.WinMedianSecond, f64(1296000))
	same(t, "win p90", rt.WinP90Second, f64(1641600))
	if len(sc.WonValue) != 2 || sc.WonValue["USD"] != 100000 || sc.WonValue["EUR"] != 50000 {
		t.Errorf("won value: %v", sc.WonValue)
	}
	if len(sc.Paid) != 1 || sc.Paid["USD"] != 4000 || sc.Payouts != 2 {
		t.Errorf("paid: %v in %d payouts", sc.Paid, sc.Payouts)
	}
	if l := sc.Leads; l == nil || l.Offered != 3 || l.Accepted != 1 || l.Declined != 1 || l.TimedOut != 1 ||
		l.MedianSecondsToAccept != 10800 || l.AcceptanceRate != 1.0/3 {
		t.Errorf("leads: %+v", sc.Leads)
	}
	if sc.From != "2025-01" || sc.To != "2025-03" {
		t.Errorf("period %s to %s", sc.From, sc.To)
	}

	inProgram := one(uuid.NullUUID{}, a, read.Filter{Period: period, Program: uuid.NullUUID{UUID: w.program, Valid: true}})
	d = inProgram.Deals
	if d.Registered != 2 || d.Approved != 2 || d.Rejected != 0 || d.Won != 1 || d.Lost != 1 {
		t.Errorf("program deals: %+v", d)
	}
	same(t, "program approval rate", d.ApprovalRate, f64(1))
	same(t, "program win rate", d.WinRate, f64(0.5))
	same(t, "program decision median", inProgram.ResponseTimes.DecisionMedianSecond, f64(10800))
	same(t, "program decision p90", inProgram.ResponseTimes.DecisionP90Second, f64(13680))
	same(t, "program win median", inProgram.ResponseTimes.WinMedianSecond, f64(864000))
	same(t, "program win p90", inProgram.ResponseTimes.WinP90Second, f64(864000))
	if len(inProgram.WonValue) != 1 || inProgram.WonValue["USD"] != 100000 {
		t.Errorf("program won value: %v", inProgram.WonValue)
	}
	if l := inProgram.Leads; l == nil || l.Offered != 1 || l.Accepted != 1 {
		t.Errorf("program leads: %+v", inProgram.Leads)
	}

	// Nothing to measure: no rates, no times, no leads (not zeros).
	empty := one(uuid.NullUUID{}, a, read.Filter{Period: read.Period{From: at(8, 1, 0), To: at(9, 1, 0)}})
	if empty.Deals.Registered != 0 || empty.Deals.ApprovalRate != nil || empty.Deals.WinRate != nil ||
		empty.ResponseTimes.DecisionMedianSecond != nil || empty.ResponseTimes.WinP90Second != nil || empty.Leads != nil || len(empty.Paid) != 0 {
		t.Errorf("an empty period: %+v", empty)
	}
}

// A partner reads only its own organization's scorecard, in SQL: asking
// for another's finds nothing, and the list holds only its own.
func TestPartnerScorecardScopedByOrganization(t *testing.T) {
	ctx := context.Background()
	w := newScorecardWorld(t)
	rd := read.New(testDB.Pool, nil)
	f := read.Filter{Period: read.Period{From: at(1, 1, 0), To: at(3, 1, 0)}}
	scopeB := uuid.NullUUID{UUID: w.b.ID, Valid: true}
	cards, err := rd.Scorecards(ctx, scopeB, uuid.NullUUID{UUID: w.a.ID, Valid: true}, f)
	if err != nil || len(cards) != 0 {
		t.Fatalf("B reading A's scorecard: %d cards, %v", len(cards), err)
	}
	cards, err = rd.Scorecards(ctx, scopeB, uuid.NullUUID{}, f)
	if err != nil || len(cards) != 1 || cards[0].PartnerID != w.b.ID {
		t.Fatalf("B's list: %+v, %v", cards, err)
	}
	if d := cards[0].Deals; d.Registered != 1 || d.Approved != 1 || cards[0].Paid["USD"] != 700 || cards[0].Leads != nil {
		t.Fatalf("B's own scorecard: %+v", cards[0])
	}
	all, err := rd.Scorecards(ctx, uuid.NullUUID{}, uuid.NullUUID{}, f)
	if err != nil || len(all) < 2 {
		t.Fatalf("the vendor's list: %d, %v", len(all), err)
	}
}

// The dashboard's program filter reads the rollups by partner and program
// (migration 00031): rebuilt from the worked example, January to March
// 2025 in the program, A registered d1 and d2 (both reached approval, one
// won 1,000.00 USD) and B one approved deal; in every program A registered
// five deals, three of which reached approval.
func TestPipelineByProgramFromRollups(t *testing.T) {
	ctx := context.Background()
	w := newScorecardWorld(t)
	q := dbq.New(testDB.Pool)
	if _, err := q.DealRollupsRebuild(ctx); err != nil {
		t.Fatal(err)
	}
	rd := read.New(testDB.Pool, nil)
	period := read.Period{From: at(1, 1, 0), To: at(3, 1, 0)}
	d, err := rd.Pipeline(ctx, "USD", read.Filter{Period: period, Program: uuid.NullUUID{UUID: w.program, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[uuid.UUID]dbq.PipelineByPartnerRow{}
	for _, r := range d.ByPartner {
		got[r.ID] = r
	}
	if r := got[w.a.ID]; r.Registered != 2 || r.Approved != 2 || r.Won != 100000 {
		t.Errorf("A in the program: %+v", r)
	}
	if r := got[w.b.ID]; r.Registered != 1 || r.Approved != 1 || r.Won != 0 {
		t.Errorf("B in the program: %+v", r)
	}
	var months int32
	for _, m := range d.ByMonth {
		months += m.Registered
	}
	if months != 3 {
		t.Errorf("the program's months count %d registrations, want 3", months)
	}
	all, err := rd.Pipeline(ctx, "USD", read.Filter{Period: period})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all.ByPartner {
		if r.ID == w.a.ID && (r.Registered != 5 || r.Approved != 3 || r.Won != 100000) {
			t.Errorf("A in every program: %+v", r)
		}
	}
}
