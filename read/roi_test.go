package read

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/testenv"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// roiWorld seeds the ROI report's inputs straight into a fresh database:
// partners, closed-won deals, programs, cycles with their statement lines,
// finance's adjustments, payouts and the revenue each cycle counted.
type roiWorld struct {
	t    *testing.T
	pool *pgxpool.Pool
	user uuid.UUID
	n    int
}

func (w *roiWorld) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.pool.Exec(context.Background(), sql, args...); err != nil {
		w.t.Fatalf("%v\n%s", err, sql)
	}
}

func (w *roiWorld) partner(name, tier string) uuid.UUID {
	w.t.Helper()
	p, err := dbq.New(w.pool).PartnerCreate(context.Background(), dbq.PartnerCreateParams{Name: name, Type: "reseller", Tier: tier})
	if err != nil {
		w.t.Fatal(err)
	}
	return p.ID
}

// won records a deal of partner p won for amount in cur, closed on closed.
func (w *roiWorld) won(p uuid.UUID, amount int64, cur, closed string) {
	w.t.Helper()
	id := uuid.New()
	w.exec(`INSERT INTO deals (id, partner_id, status, kind, customer_name, customer_domain, customer_registrable_domain,
		customer_country, contact_name, contact_email, product_lines, amount, currency, expected_close_date, submitted_by,
		workflow_id, last_event_seq, created_at, updated_at, won_amount, won_currency, won_product_lines, won_units, closed_on)
		VALUES ($1, $2, 'closed_won', 'resale', 'Customer', 'customer.example', 'customer.example', 'DE', 'C', 'c@customer.example',
		'{edr}', $3, $4, $5, $6, $7, 5, now(), now(), $3, $4, '{edr}', 1, $5)`,
		id, p, amount, cur, closed, w.user, "deal/"+id.String())
}

func (w *roiWorld) program(code, cur, startsOn string) uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	if err := w.pool.QueryRow(context.Background(), `INSERT INTO incentive_programs (code, name, kind, currency, period, grace_days, starts_on, created_by)
		VALUES ($1, $1 || ' program', 'rebate', $2, 'month', 0, $3, 'test') RETURNING id`, code, cur, startsOn).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	w.exec(`INSERT INTO incentive_program_versions (program_id, version, rules, created_by)
		VALUES ($1, 1, '{"mode":"retroactive","tiers":[{"above":0,"rate_bp":500}]}', 'test')`, id)
	return id
}

func (w *roiWorld) cycle(program uuid.UUID, start string) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	w.exec(`INSERT INTO incentive_cycles (id, program_id, program_version, period_start, period_end, status, workflow_id, started_by, frozen_at)
		VALUES ($1, $2, 1, $3::date, ($3::date + interval '1 month')::date, 'paid', $4, 'test', now())`, id, program, start, "cycle/"+id.String())
	return id
}

// line adds a statement line and returns its id.
func (w *roiWorld) line(cycle, p uuid.UUID, kind string, amount int64, cur string) uuid.UUID {
	w.t.Helper()
	w.n++
	var id uuid.UUID
	if err := w.pool.QueryRow(context.Background(), `INSERT INTO statement_lines (cycle_id, partner_id, line_no, kind, basis, amount, currency, detail)
		VALUES ($1, $2, $3, $4, 0, $5, $6, 'test') RETURNING id`, cycle, p, w.n, kind, amount, cur).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *roiWorld) adjust(cycle, line uuid.UUID, seq int, amount int64) {
	w.exec(`INSERT INTO cycle_events (cycle_id, seq, type, line_id, amount, actor_id, actor_name, actor_role, reason, occurred_at)
		VALUES ($1, $2, 'adjusted', $3, $4, 'f', 'Finance', 'finance', 'test', now())`, cycle, seq, line, amount)
}

func (w *roiWorld) payout(cycle, p uuid.UUID, amount int64, cur string) {
	status := "payable"
	if amount <= 0 {
		status = "nothing_due"
	}
	w.exec(`INSERT INTO payouts (cycle_id, partner_id, amount, currency, lines, status, posted_at) VALUES ($1, $2, $3, $4, 1, $5, now())`,
		cycle, p, amount, cur, status)
}

func (w *roiWorld) counted(cycle, p uuid.UUID, revenue int64) {
	w.exec(`INSERT INTO cycle_partner_totals (cycle_id, partner_id, revenue, deals) VALUES ($1, $2, $3, 1)`, cycle, p, revenue)
}

// The worked example on the real PostgreSQL, every figure by hand.
//
// Window 2026-01 … 2026-06 in EUR; program "roi-rebate" (EUR) starts
// 2026-04-01: three months before (Jan-Mar), three after (Apr-Jun).
// Won revenue (EUR, minor units) by month:
//
//	T1 (gold, treated)   1000 1000 1000 | 1600 1600 1600   = 7800
//	T2 (silver, treated)  800 1200 1000 | 1500 1700 1600   = 7800
//	C1 (gold, control)   1000 1000 1000 | 1200 1200 1200   = 6600
//	C2 (silver, control)  900 1100 1000 | 1300 1100 1200   = 6600
//
// plus deals the report must leave out: T1's EUR deal of 2025-12 (before
// the window), C1's USD deal of May (another currency), T2's EUR deal of
// 2026-07 (after it).
// Treated mean before (3000 + 3000) / 6 = 1000, after 9600 / 6 = 1600;
// control before 6000 / 6 = 1000, after 7200 / 6 = 1200; lift (1600 −
// 1000) − (1200 − 1000) = 400 per partner-month, × 2 partners × 3 months =
// 2400.
//
// Spend, the program's cycles of April, May and June (July's is outside):
//
//	April  T1 line 80, paid 80;  T2 line 75, paid 75
//	May    T1 line 80, paid 80;  T2 line 85, paid 85
//	June   T1 line 80 adjusted to 70 then 60, paid 60;
//	       T2 line 80 and a clawback −100: net −20, nothing due, paid 0
//
// Accrued: T1 80 + 80 + 60 = 220; T2 75 + 85 + 80 − 100 = 140; program 360.
// Paid: T1 220; T2 160; program 380.
// Revenue the cycles counted: 1600 + 1500 + 1600 + 1700 + 1600 + 1600 = 9600;
// program spend per revenue 360 / 9600 = 3.75 % = 375 bp exactly.
// Partners: T1 220 / 7800 = 282.05… bp → 282; T2 140 / 7800 = 179.49… → 179;
// C1 and C2 spend nothing: 0 bp.
// Tiers: gold (T1 + C1) 220 / 14400 = 152.78… → 153; silver (T2 + C2)
// 140 / 14400 = 97.22… → 97.
// A USD program pays C1 (not in the EUR report, C1 stays a control); an
// EUR program starting 2026-05-15 has no cycles: not estimable.
func TestROIWorkedExampleOnPostgres(t *testing.T) {
	ctx := context.Background()
	db, err := testenv.NewDatabase(ctx, "read_roi")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := &roiWorld{t: t, pool: db.Pool}
	t1, t2 := w.partner("T1", "Gold"), w.partner("T2", "Silver")
	c1, c2 := w.partner("C1", "gold"), w.partner("C2", "Silver")
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (name, role, partner_id) VALUES ('Pat', 'partner_user', $1) RETURNING id`, t1).Scan(&w.user); err != nil {
		t.Fatal(err)
	}
	revenue := map[uuid.UUID][]int64{
		t1: {1000, 1000, 1000, 1600, 1600, 1600},
		t2: {800, 1200, 1000, 1500, 1700, 1600},
		c1: {1000, 1000, 1000, 1200, 1200, 1200},
		c2: {900, 1100, 1000, 1300, 1100, 1200},
	}
	for p, months := range revenue {
		for m, amount := range months {
			w.won(p, amount, "EUR", fmt.Sprintf("2026-%02d-10", m+1))
		}
	}
	w.won(t1, 5000, "EUR", "2025-12-31")
	w.won(c1, 99999, "USD", "2026-05-10")
	w.won(t2, 7000, "EUR", "2026-07-01")

	prog := w.program("roi-rebate", "EUR", "2026-04-01")
	apr, may, jun, jul := w.cycle(prog, "2026-04-01"), w.cycle(prog, "2026-05-01"), w.cycle(prog, "2026-06-01"), w.cycle(prog, "2026-07-01")
	w.line(apr, t1, "rebate", 80, "EUR")
	w.line(apr, t2, "rebate", 75, "EUR")
	w.line(may, t1, "rebate", 80, "EUR")
	w.line(may, t2, "rebate", 85, "EUR")
	adjusted := w.line(jun, t1, "rebate", 80, "EUR")
	w.adjust(jun, adjusted, 1, 70)
	w.adjust(jun, adjusted, 2, 60)
	w.line(jun, t2, "rebate", 80, "EUR")
	w.line(jun, t2, "clawback", -100, "EUR")
	w.line(jul, t1, "rebate", 999, "EUR")
	w.payout(apr, t1, 80, "EUR")
	w.payout(apr, t2, 75, "EUR")
	w.payout(may, t1, 80, "EUR")
	w.payout(may, t2, 85, "EUR")
	w.payout(jun, t1, 60, "EUR")
	w.payout(jun, t2, -20, "EUR")
	w.payout(jul, t1, 999, "EUR")
	for c, figures := range map[uuid.UUID][2]int64{apr: {1600, 1500}, may: {1600, 1700}, jun: {1600, 1600}, jul: {0, 7000}} {
		w.counted(c, t1, figures[0])
		w.counted(c, t2, figures[1])
	}
	usd := w.program("roi-usd", "USD", "2026-01-01")
	usdCycle := w.cycle(usd, "2026-05-01")
	w.line(usdCycle, c1, "rebate", 5000, "USD")
	w.payout(usdCycle, c1, 5000, "USD")
	w.program("roi-late", "EUR", "2026-05-15")

	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	q, errs := ParseROIQuery("eur", "2026-01", "2026-06", now)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	v, err := New(db.Pool, nil).ROI(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	bp := func(n int64) *int64 { return &n }
	wantPrograms := []domain.ROIRow{
		{Key: "roi-late", Name: "roi-late program"},
		{Key: "roi-rebate", Name: "roi-rebate program", Accrued: 360, Paid: 380, Revenue: 9600, SpendPerRevenueBP: bp(375)},
	}
	if len(v.Programs) != len(wantPrograms) {
		t.Fatalf("programs %+v", v.Programs)
	}
	for i, want := range wantPrograms {
		checkRow(t, "program", v.Programs[i].ROIRow, want)
	}
	late, rebate := v.Programs[0].Lift, v.Programs[1].Lift
	if late.Estimable || late.Reason != "no treated partners: no partner has a statement line of the program" {
		t.Errorf("roi-late: %+v", late)
	}
	if !rebate.Estimable || rebate.TreatedPartners != 2 || rebate.ControlPartners != 2 || rebate.MonthsBefore != 3 || rebate.MonthsAfter != 3 ||
		rebate.TreatedBefore != 1000 || rebate.TreatedAfter != 1600 || rebate.ControlBefore != 1000 || rebate.ControlAfter != 1200 ||
		rebate.LiftPerPartnerMonth != 400 || rebate.Lift != 2400 || !rebate.FewControls {
		t.Errorf("roi-rebate lift: %+v", rebate)
	}
	wantPartners := []domain.ROIRow{
		{Key: t1.String(), Name: "T1", Tier: "Gold", Accrued: 220, Paid: 220, Revenue: 7800, SpendPerRevenueBP: bp(282)},
		{Key: t2.String(), Name: "T2", Tier: "Silver", Accrued: 140, Paid: 160, Revenue: 7800, SpendPerRevenueBP: bp(179)},
		{Key: c1.String(), Name: "C1", Tier: "gold", Revenue: 6600, SpendPerRevenueBP: bp(0)},
		{Key: c2.String(), Name: "C2", Tier: "Silver", Revenue: 6600, SpendPerRevenueBP: bp(0)},
	}
	if len(v.Partners) != len(wantPartners) {
		t.Fatalf("partners %+v", v.Partners)
	}
	for i, want := range wantPartners {
		checkRow(t, "partner", v.Partners[i], want)
	}
	wantTiers := []domain.ROIRow{
		{Key: "gold", Name: "gold", Accrued: 220, Paid: 220, Revenue: 14400, SpendPerRevenueBP: bp(153)},
		{Key: "silver", Name: "silver", Accrued: 140, Paid: 160, Revenue: 14400, SpendPerRevenueBP: bp(97)},
	}
	if len(v.Tiers) != len(wantTiers) {
		t.Fatalf("tiers %+v", v.Tiers)
	}
	for i, want := range wantTiers {
		checkRow(t, "tier", v.Tiers[i], want)
	}
	if v.Method != domain.ROIMethod || len(v.Caveats) != len(domain.ROICaveats) || len(v.Months) != 6 || v.Months[0] != "2026-01" {
		t.Errorf("method, caveats or months missing: %+v", v)
	}

	// In USD the same database shows only the USD program and C1's USD
	// figures: no conversion, each currency on its own.
	q.Currency = "USD"
	u, err := New(db.Pool, nil).ROI(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Programs) != 1 || u.Programs[0].Key != "roi-usd" || u.Programs[0].Accrued != 5000 || u.Programs[0].Paid != 5000 {
		t.Errorf("USD programs %+v", u.Programs)
	}
	if len(u.Partners) != 1 || u.Partners[0].Key != c1.String() || u.Partners[0].Revenue != 99999 || u.Partners[0].Accrued != 5000 {
		t.Errorf("USD partners %+v", u.Partners)
	}
	if u.Programs[0].Lift.Estimable {
		t.Errorf("USD lift estimated with no controls: %+v", u.Programs[0].Lift)
	}
}

func checkRow(t *testing.T, what string, got, want domain.ROIRow) {
	t.Helper()
	gotBP, wantBP := "nil", "nil"
	if got.SpendPerRevenueBP != nil {
		gotBP = fmt.Sprint(*got.SpendPerRevenueBP)
	}
	if want.SpendPerRevenueBP != nil {
		wantBP = fmt.Sprint(*want.SpendPerRevenueBP)
	}
	got.SpendPerRevenueBP, want.SpendPerRevenueBP = nil, nil
	if got != want || gotBP != wantBP {
		t.Errorf("%s: got %+v (%s bp), want %+v (%s bp)", what, got, gotBP, want, wantBP)
	}
}

// The filter: defaults, and each field refused on its own.
func TestParseROIQuery(t *testing.T) {
	now := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	q, errs := ParseROIQuery("", "", "", now)
	if len(errs) > 0 || q.Currency != "USD" || q.From.Format("2006-01") != "2025-12" || q.To.Format("2006-01") != "2026-11" {
		t.Fatalf("defaults: %+v %v", q, errs)
	}
	for _, c := range []struct{ cur, from, to, field string }{
		{"EURO", "", "", "currency"},
		{"EUR", "2026-13", "", "from"},
		{"EUR", "", "2026", "to"},
		{"EUR", "2026-07", "2026-06", "from"},
		{"EUR", "2020-01", "2026-06", "from"},
	} {
		_, errs := ParseROIQuery(c.cur, c.from, c.to, now)
		if len(errs) != 1 || errs[0].Field != c.field {
			t.Errorf("%+v: %v", c, errs)
		}
	}
}
