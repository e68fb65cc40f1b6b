package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SeedOptions sizes a synthetic data set.
type SeedOptions struct {
	Deals    int
	Accounts int
	Partners int
	// Seed makes the data reproducible.
	Seed uint64
	// Force allows seeding a database that holds real (non-synthetic) deals.
	Force bool
	// Won makes every deal closed-won in WonQuarter (80 % resale, 20 %
	// referral), with its won figures, for the incentive benchmark.
	// Without it the closed-won deals (a tenth) carry syntheticWon's.
	Won bool
}

// WonQuarter is the quarter synthetic closed-won deals close in.
var WonQuarter = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// Seed fills a benchmark database with synthetic partners, registrations
// and accounts through COPY. The deals it writes have no workflows: it is
// for measuring queries, in a database of its own.
func Seed(ctx context.Context, pool *pgxpool.Pool, o SeedOptions, log *slog.Logger) error {
	if !o.Force {
		var real int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM deals WHERE workflow_id NOT LIKE 'synthetic/%'").Scan(&real); err != nil {
			return err
		}
		if real > 0 {
			return fmt.Errorf("the database holds %d real deals; seed a database of its own (set DATABASE_URL) or pass --force", real)
		}
	}
	if o.Partners <= 0 {
		o.Partners = 1000
	}
	r := newRand(o.Seed)
	// Bulk loading goes through GIN's pending list; the indexes are
	// rebuilt afterwards and fast-update turned off again.
	if _, err := pool.Exec(ctx, trigramFastUpdate("on")); err != nil {
		return err
	}
	defer pool.Exec(context.WithoutCancel(ctx), trigramFastUpdate("off")) //nolint:errcheck // best effort on failure paths
	start := time.Now()
	programs, err := seedPrograms(ctx, pool)
	if err != nil {
		return err
	}
	partners, users, err := seedPartners(ctx, pool, r, o.Partners, programs)
	if err != nil {
		return err
	}
	cols := append(append([]string{}, dealColumns...), wonColumns...)
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"deals"}, cols, &dealRows{r: r, n: o.Deals, partners: partners, users: users,
		programs: programs, won: o.Won})
	if err != nil {
		return fmt.Errorf("copy deals: %w", err)
	}
	log.Info("deals loaded", "rows", n, "won", o.Won, "took", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	n, err = pool.CopyFrom(ctx, pgx.Identifier{"accounts"}, accountColumns, &accountRows{r: r, n: o.Accounts, partners: partners})
	if err != nil {
		return fmt.Errorf("copy accounts: %w", err)
	}
	log.Info("accounts loaded", "rows", n, "took", time.Since(start).Round(time.Millisecond))
	// Indexes filled row by row during COPY are larger than freshly built
	// ones; rebuild them as a restored database would have them.
	start = time.Now()
	// One statement per transaction: together they would hold every lock
	// until the end, and deadlock with autovacuum on a fresh cluster.
	for _, stmt := range []string{trigramFastUpdate("off"), "REINDEX TABLE deals", "REINDEX TABLE accounts", "ANALYZE deals", "ANALYZE accounts",
		// The deals came in by COPY, past the event recording: the dashboard
		// rollups are rebuilt from them.
		"SELECT deal_rollups_rebuild()", "ANALYZE deal_rollups, partner_running"} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	log.Info("indexes rebuilt and statistics gathered", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// SyntheticPrograms is how many partner programs the synthetic partners
// belong to: partner i to program i mod (SyntheticPrograms+1), the last
// of those none, and its deals to its program.
const SyntheticPrograms = 4

// seedPrograms makes sure the synthetic programs exist and returns their
// ids, by name.
func seedPrograms(ctx context.Context, pool *pgxpool.Pool) ([]uuid.UUID, error) {
	if _, err := pool.Exec(ctx, `INSERT INTO programs (name) SELECT 'Synthetic Program ' || i FROM generate_series(1, $1::int) AS i
		ON CONFLICT (name) DO NOTHING`, SyntheticPrograms); err != nil {
		return nil, err
	}
	rows, _ := pool.Query(ctx, `SELECT id FROM programs WHERE name = ANY (SELECT 'Synthetic Program ' || i FROM generate_series(1, $1::int) AS i)
		ORDER BY name`, SyntheticPrograms)
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// programOf is partner i's program (nil for none), without a draw from
// the random source: the rest of the data is as before programs.
func programOf(programs []uuid.UUID, i int) any {
	if k := i % (len(programs) + 1); k < len(programs) {
		return programs[k]
	}
	return nil
}

func seedPartners(ctx context.Context, pool *pgxpool.Pool, r *rand.Rand, n int, programs []uuid.UUID) ([]uuid.UUID, []uuid.UUID, error) {
	partners := make([]uuid.UUID, n)
	users := make([]uuid.UUID, n)
	types := []string{"reseller", "var", "distributor", "msp", "si", "referral", "agent"}
	tiers := []string{"registered", "silver", "gold", "platinum"}
	var prows, urows [][]any
	for i := range partners {
		partners[i], users[i] = uuid.New(), uuid.New()
		prows = append(prows, []any{partners[i], fmt.Sprintf("Synthetic Partner %d", i), types[r.IntN(len(types))], tiers[r.IntN(len(tiers))],
			programOf(programs, i)})
		urows = append(urows, []any{users[i], fmt.Sprintf("Synthetic Rep %d", i), "partner_user", partners[i]})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"partners"}, []string{"id", "name", "type", "tier", "program_id"}, pgx.CopyFromRows(prows)); err != nil {
		return nil, nil, err
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "name", "role", "partner_id"}, pgx.CopyFromRows(urows))
	return partners, users, err
}

var dealColumns = []string{"id", "partner_id", "status", "kind", "customer_name", "customer_domain",
	"customer_registrable_domain", "customer_name_full", "customer_name_core", "customer_domain_label", "customer_name_keys",
	"customer_country", "contact_name", "contact_email", "product_lines", "amount", "currency",
	"expected_close_date", "notes", "submitted_by", "workflow_id", "last_event_seq", "created_at", "updated_at",
	"sla_due_at", "expires_at", "approvals", "program_id"}

var dealStatuses = []string{"approved", "approved", "approved", "approved", "approved", "approved", "approved",
	"approved", "approved", "approved", "pending_approval", "pending_approval", "pending_approval", "pending_approval",
	"conflict_review", "info_requested", "closed_won", "closed_won", "closed_lost", "expired"}

var productLines = []string{"firewall", "vpn", "sd-wan", "endpoint", "siem", "email-security", "backup", "storage", "compute", "support"}

// dealRows generates deals for COPY, one row at a time.
type dealRows struct {
	r               *rand.Rand
	n, i            int
	partners, users []uuid.UUID
	programs        []uuid.UUID
	won             bool
	row             []any
}

var wonColumns = []string{"won_amount", "won_currency", "won_product_lines", "won_units", "closed_on"}

func (d *dealRows) Next() bool {
	if d.i >= d.n {
		return false
	}
	d.i++
	r := d.r
	name, host := syntheticCompany(r)
	reg, _ := domain.RegistrableDomain(host)
	full, core, label := domain.NameColumns(name, reg)
	p := r.IntN(len(d.partners))
	status := dealStatuses[r.IntN(len(dealStatuses))]
	if d.won {
		status = "closed_won"
	}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(330 * 24 * time.Hour))))
	var sla, expires any
	approvals := 0
	switch status {
	case "pending_approval", "conflict_review":
		sla = created.Add(48 * time.Hour)
	case "approved":
		expires = created.Add(time.Duration(30+r.IntN(150)) * 24 * time.Hour)
		approvals = 1
	}
	lines := []string{productLines[r.IntN(len(productLines))]}
	id := uuid.New()
	keys := domain.NameKeys(domain.CompanyName{Full: full, Core: core})
	d.row = []any{id, d.partners[p], status, "resale", name, host, reg, full, core, label, keys,
		countries[r.IntN(len(countries))], "Synthetic Contact", "contact@" + reg, lines,
		int64(1000_00 + r.IntN(500_000_00)), "USD", created.AddDate(0, 3, 0), "", d.users[p],
		"synthetic/" + id.String(), int32(3), created, created, sla, expires, int32(approvals), programOf(d.programs, p)}
	switch {
	case !d.won && status == "closed_won":
		// A win's outcome, the deal's own (no draws from r).
		won, units, closed := syntheticWon(d.row[15].(int64), created)
		d.row = append(d.row, won, "USD", lines, units, closed)
	case !d.won:
		d.row = append(d.row, nil, nil, nil, nil, nil)
	default:
		if r.IntN(5) == 0 {
			d.row[3] = "referral"
		}
		closed := WonQuarter.AddDate(0, 0, r.IntN(92))
		won := int64(100_00 + r.IntN(100_000_00))
		d.row = append(d.row, won, "USD", lines, int64(1+r.IntN(20)), closed)
		if r.IntN(100) == 0 {
			d.row[len(d.row)-4] = "EUR" // a few in another currency: reported, not paid
		}
	}
	return true
}

func (d *dealRows) Values() ([]any, error) { return d.row, nil }
func (d *dealRows) Err() error             { return nil }

var accountColumns = []string{"external_id", "name", "name_full", "name_core", "name_keys", "domain", "registrable_domain",
	"domain_label", "country", "owner_type", "owner_partner_id", "reserved_for_direct"}

// accountRows generates accounts for COPY.
type accountRows struct {
	r        *rand.Rand
	n, i     int
	partners []uuid.UUID
	row      []any
}

func (a *accountRows) Next() bool {
	if a.i >= a.n {
		return false
	}
	a.i++
	r := a.r
	name, host := syntheticCompany(r)
	reg, _ := domain.RegistrableDomain(host)
	full, core, label := domain.NameColumns(name, reg)
	owner, partner, reserved := "direct", any(nil), r.IntN(20) == 0
	if r.IntN(3) == 0 {
		owner, partner, reserved = "partner", a.partners[r.IntN(len(a.partners))], false
	}
	a.row = []any{fmt.Sprintf("SYN-%d", a.i), name, full, core, domain.NameKeys(domain.CompanyName{Full: full, Core: core}), host, reg, label,
		countries[r.IntN(len(countries))], owner, partner, reserved}
	return true
}

func (a *accountRows) Values() ([]any, error) { return a.row, nil }
func (a *accountRows) Err() error             { return nil }

func trigramFastUpdate(onOff string) string {
	var b strings.Builder
	for i, idx := range []string{"deals_open_name_keys", "accounts_name_keys", "opportunities_open_name_keys"} {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "ALTER INDEX %s SET (fastupdate = %s)", idx, onOff)
	}
	return b.String()
}
