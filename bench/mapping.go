package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/crm"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MappingOptions size the account-mapping benchmark.
type MappingOptions struct {
	PartnerAccounts int // partner accounts mapped (100,000)
	VendorAccounts  int // the vendor's CRM accounts (1,000,000)
	Opportunities   int // the vendor's open opportunities
	Partners        int // partners the partner accounts belong to
	Changes         int // accounts changed for the incremental re-map (half each side)
	Reps            int // repetitions of the floor and the full map (the median is reported)
	Seed            uint64
}

// MappingReport holds the figures: the full map beside the floor (a bare
// join of partner accounts and vendor accounts on the registrable domain,
// free mail left out as it proves nothing, plus one on the exact
// normalized name), and the incremental re-map.
type MappingReport struct {
	PartnerAccounts int64     `json:"partner_accounts"`
	VendorAccounts  int64     `json:"vendor_accounts"`
	Opportunities   int64     `json:"open_opportunities"`
	Overlaps        int64     `json:"overlaps"`
	FloorPairs      int64     `json:"floor_pairs"`
	FloorMS         float64   `json:"floor_ms"`
	MapMS           float64   `json:"map_ms"`
	Ratio           float64   `json:"ratio"`
	UnchangedMS     float64   `json:"map_unchanged_ms"`
	Changes         int       `json:"changes"`
	RemapMS         float64   `json:"remap_ms"`
	RemapEqualsFull bool      `json:"remap_equals_full"`
	LoadBefore      string    `json:"load_before"`
	LoadAfter       string    `json:"load_after"`
	FloorRuns       []float64 `json:"floor_runs_ms"`
	MapRuns         []float64 `json:"map_runs_ms"`
}

// Table prints the figures.
func (r MappingReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "account mapping: %d partner accounts × %d vendor accounts + %d open opportunities → %d overlaps\n",
		r.PartnerAccounts, r.VendorAccounts, r.Opportunities, r.Overlaps)
	fmt.Fprintf(&b, "%-44s %10.0f ms  (runs %v)\n", "floor (domain join + exact name join)", r.FloorMS, r.FloorRuns)
	fmt.Fprintf(&b, "%-44s %10.0f ms  (runs %v)\n", "full map (candidates, scoring, write)", r.MapMS, r.MapRuns)
	fmt.Fprintf(&b, "%-44s %10.2f\n", "ratio map/floor", r.Ratio)
	fmt.Fprintf(&b, "%-44s %10.0f ms\n", "full map again, nothing changed (writes none)", r.UnchangedMS)
	fmt.Fprintf(&b, "%-44s %10.0f ms  (incremental = full: %v)\n", fmt.Sprintf("re-map %d changed accounts", r.Changes), r.RemapMS, r.RemapEqualsFull)
	fmt.Fprintf(&b, "load average before %s, after %s\n", r.LoadBefore, r.LoadAfter)
	return b.String()
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// Mapping seeds (once) and measures account mapping.
func Mapping(ctx context.Context, pool *pgxpool.Pool, o MappingOptions, log *slog.Logger) (MappingReport, error) {
	rep := MappingReport{Changes: o.Changes, LoadBefore: loadAverage()}
	if err := seedMapping(ctx, pool, o, log); err != nil {
		return rep, err
	}
	for _, q := range []struct {
		sql string
		n   *int64
	}{{"SELECT count(*) FROM partner_accounts", &rep.PartnerAccounts}, {"SELECT count(*) FROM accounts", &rep.VendorAccounts},
		{"SELECT count(*) FROM opportunities WHERE status = 'open'", &rep.Opportunities}} {
		if err := pool.QueryRow(ctx, q.sql).Scan(q.n); err != nil {
			return rep, err
		}
	}
	floor := `SELECT count(*) FROM (
	    SELECT p.id, a.id FROM partner_accounts p JOIN accounts a ON a.registrable_domain = p.registrable_domain WHERE p.domain_label <> '' AND a.domain_label <> ''
	    UNION ALL
	    SELECT p.id, a.id FROM partner_accounts p JOIN accounts a ON a.name_full = p.name_full) j`
	for i := 0; i < max(o.Reps, 1); i++ {
		start := time.Now()
		if err := pool.QueryRow(ctx, floor).Scan(&rep.FloorPairs); err != nil {
			return rep, fmt.Errorf("floor: %w", err)
		}
		rep.FloorRuns = append(rep.FloorRuns, ms(time.Since(start)))
		// Each full map starts from no overlaps, so that it writes every
		// one (a map over an unchanged map writes nothing).
		if _, err := pool.Exec(ctx, "TRUNCATE account_overlaps"); err != nil {
			return rep, err
		}
		start = time.Now()
		var err error
		if rep.Overlaps, err = crm.MapAll(ctx, pool); err != nil {
			return rep, fmt.Errorf("map: %w", err)
		}
		rep.MapRuns = append(rep.MapRuns, ms(time.Since(start)))
		log.Info("mapping run", "floor_ms", rep.FloorRuns[i], "map_ms", rep.MapRuns[i], "overlaps", rep.Overlaps)
	}
	rep.FloorMS, rep.MapMS = medianMS(rep.FloorRuns), medianMS(rep.MapRuns)
	rep.Ratio = rep.MapMS / rep.FloorMS
	start := time.Now()
	if _, err := crm.MapAll(ctx, pool); err != nil {
		return rep, fmt.Errorf("map: %w", err)
	}
	rep.UnchangedMS = ms(time.Since(start))
	var err error
	rep.RemapMS, rep.RemapEqualsFull, err = remapChanges(ctx, pool, o)
	rep.LoadAfter = loadAverage()
	return rep, err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func medianMS(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// overlapDigest fingerprints every overlap, to compare two maps.
const overlapDigest = `SELECT count(*) || ':' || coalesce(md5(string_agg(partner_account_id::text || vendor_id::text || score::text || explanation, ',' ORDER BY partner_account_id, vendor_id)), '')
FROM account_overlaps`

// remapChanges changes o.Changes accounts (half partner, half vendor: new
// spellings of their names) in one transaction, which the triggers re-map,
// and then checks that the result equals a full map.
func remapChanges(ctx context.Context, pool *pgxpool.Pool, o MappingOptions) (float64, bool, error) {
	r := newRand(o.Seed + 99)
	pick := func(table string, n int) ([]uuid.UUID, []string, error) {
		rows, err := pool.Query(ctx, fmt.Sprintf("SELECT id, name FROM %s TABLESAMPLE SYSTEM (1) LIMIT %d", table, n))
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		var ids []uuid.UUID
		var names []string
		for rows.Next() {
			var id uuid.UUID
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return nil, nil, err
			}
			ids, names = append(ids, id), append(names, variant(r, name))
		}
		return ids, names, rows.Err()
	}
	update := func(tx pgx.Tx, table string, ids []uuid.UUID, names []string) error {
		var full, core []string
		var keys [][]int64
		for _, n := range names {
			c := domain.NormalizeName(n)
			full, core, keys = append(full, c.Full), append(core, c.Core), append(keys, domain.NameKeys(c))
		}
		_, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s t SET name = u.name, name_full = u.full, name_core = u.core,
		    name_keys = (SELECT array_agg(k::bigint) FROM jsonb_array_elements_text(u.keys) k)
		    FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::text[]) AS name, unnest($3::text[]) AS full,
		                 unnest($4::text[]) AS core, unnest($5::jsonb[]) AS keys) u
		    WHERE t.id = u.id`, table), ids, names, full, core, keysJSON(keys))
		return err
	}
	pIDs, pNames, err := pick("partner_accounts", o.Changes/2)
	if err != nil {
		return 0, false, err
	}
	vIDs, vNames, err := pick("accounts", o.Changes-len(pIDs))
	if err != nil {
		return 0, false, err
	}
	start := time.Now()
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback(ctx)
	if err := update(tx, "partner_accounts", pIDs, pNames); err != nil {
		return 0, false, err
	}
	if err := update(tx, "accounts", vIDs, vNames); err != nil {
		return 0, false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, false, err
	}
	took := ms(time.Since(start))
	var incremental, full string
	if err := pool.QueryRow(ctx, overlapDigest).Scan(&incremental); err != nil {
		return took, false, err
	}
	if _, err := crm.MapAll(ctx, pool); err != nil {
		return took, false, err
	}
	if err := pool.QueryRow(ctx, overlapDigest).Scan(&full); err != nil {
		return took, false, err
	}
	return took, incremental == full, nil
}

func keysJSON(keys [][]int64) []string {
	out := make([]string, len(keys))
	for i, ks := range keys {
		parts := make([]string, len(ks))
		for j, k := range ks {
			parts[j] = fmt.Sprint(k)
		}
		out[i] = "[" + strings.Join(parts, ",") + "]"
	}
	return out
}

// syllables build distinctive made-up words, so that synthetic companies
// are mostly distinct, as real ones are, yet share common words.
var syllables = strings.Fields(`ka ri to na mo ve la zen tor bri qua dex lum sor vin cal mar tek nov pra sil hal
	dor fen gri jo ku lex mi ob pen rho sta tri ul vo wex yan zo ber cor dan el fra gul har ix`)

func madeUpWord(r *rand.Rand) string {
	var b strings.Builder
	for i := 0; i < 2+r.IntN(2); i++ {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	w := b.String()
	return strings.ToUpper(w[:1]) + w[1:]
}

// mappingCompany is a vendor-side company: a distinctive word among common
// ones, a legal form most of the time, and a web domain (missing for one in
// ten, a free-mail address for one in twenty).
func mappingCompany(r *rand.Rand) (string, string) {
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	distinct := madeUpWord(r)
	var words []string
	switch r.IntN(4) {
	case 0:
		words = []string{distinct, pick(industryWords)}
	case 1:
		words = []string{pick(firstWords), distinct, pick(industryWords)}
	case 2:
		words = []string{distinct, pick(middleWords)}
	default:
		words = []string{pick(firstWords), distinct}
	}
	if r.IntN(10) < 7 {
		words = append(words, pick(legalSuffixes))
	}
	host := strings.ToLower(strings.Join(words[:2], "")) + pick(tlds)
	switch r.IntN(20) {
	case 0, 1:
		host = ""
	case 2:
		host = "gmail.com"
	}
	return strings.Join(words, " "), host
}

// hostVariant is how someone else might write the same domain.
func hostVariant(r *rand.Rand, host string) string {
	switch r.IntN(5) {
	case 0:
		return "https://www." + host + "/"
	case 1:
		return "shop." + host
	case 2:
		return ""
	default:
		return host
	}
}

type mappingRow struct {
	name, host, country, relation string
}

func (m mappingRow) values() []any {
	reg := ""
	if m.host != "" {
		if h, err := domain.NormalizeHost(m.host); err == nil {
			reg, _ = domain.RegistrableDomain(h)
		}
	}
	full, core, label := domain.NameColumns(m.name, reg)
	return []any{m.name, full, core, domain.NameKeys(domain.CompanyName{Full: full, Core: core}), m.host, reg, label, m.country, m.relation}
}

var mappingColumns = []string{"name", "name_full", "name_core", "name_keys", "domain", "registrable_domain", "domain_label", "country", "relation"}

// seedMapping loads the vendor's accounts and opportunities and the
// partners' accounts by COPY (once), with the re-map triggers deferred,
// and leaves the map to be measured.
func seedMapping(ctx context.Context, pool *pgxpool.Pool, o MappingOptions, log *slog.Logger) error {
	var have int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM partner_accounts").Scan(&have); err != nil {
		return err
	}
	if have >= o.PartnerAccounts {
		return nil
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET dealflow.mapping_defer = on; TRUNCATE account_overlaps, partner_accounts; DELETE FROM opportunities WHERE external_id LIKE 'MAP-%'; DELETE FROM accounts WHERE external_id LIKE 'MAP-%'"); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), "RESET dealflow.mapping_defer")
	r := newRand(o.Seed)
	vendors := make([]mappingRow, o.VendorAccounts)
	for i := range vendors {
		name, host := mappingCompany(r)
		rel := "customer"
		if r.IntN(5) == 0 {
			rel = "prospect"
		}
		vendors[i] = mappingRow{name, host, countries[r.IntN(len(countries))], rel}
	}
	i := 0
	start := time.Now()
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"accounts"}, append([]string{"external_id", "owner_type"}, mappingColumns...),
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(vendors) {
				return nil, nil
			}
			i++
			return append([]any{fmt.Sprintf("MAP-%d", i), "direct"}, vendors[i-1].values()...), nil
		}))
	if err != nil {
		return fmt.Errorf("vendor accounts: %w", err)
	}
	log.Info("seeded vendor accounts", "n", len(vendors), "took", time.Since(start).Round(time.Second))
	i = 0
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"opportunities"}, []string{"external_id", "account_name", "name_full", "name_core", "name_keys",
		"domain", "registrable_domain", "domain_label", "country", "status"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= o.Opportunities {
				return nil, nil
			}
			i++
			v := vendors[r.IntN(len(vendors))]
			vals := mappingRow{v.name, v.host, v.country, ""}.values()
			return append(append([]any{fmt.Sprintf("MAP-O-%d", i)}, vals[:8]...), "open"), nil
		}))
	if err != nil {
		return fmt.Errorf("opportunities: %w", err)
	}
	partners := make([]uuid.UUID, max(o.Partners, 1))
	for j := range partners {
		partners[j] = uuid.New()
		if _, err := conn.Exec(ctx, `INSERT INTO partners (id, name, type, tier) VALUES ($1, $2, 'reseller', 'gold')`, partners[j], fmt.Sprintf("Mapping partner %d", j+1)); err != nil {
			return err
		}
	}
	// Two in five partner accounts are a vendor company written another
	// way; the rest are companies the vendor does not know.
	i = 0
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"partner_accounts"}, append([]string{"partner_id", "external_id"}, mappingColumns...),
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= o.PartnerAccounts {
				return nil, nil
			}
			i++
			var m mappingRow
			if r.IntN(5) < 2 {
				v := vendors[r.IntN(len(vendors))]
				m = mappingRow{variant(r, v.name), hostVariant(r, v.host), v.country, ""}
				if v.host == "gmail.com" {
					m.host = v.host
				}
			} else {
				name, host := mappingCompany(r)
				m = mappingRow{name, host, countries[r.IntN(len(countries))], ""}
			}
			m.relation = "customer"
			if r.IntN(10) < 3 {
				m.relation = "prospect"
			}
			return append([]any{partners[i%len(partners)], fmt.Sprintf("P-%d", i)}, m.values()...), nil
		}))
	if err != nil {
		return fmt.Errorf("partner accounts: %w", err)
	}
	log.Info("seeded partner accounts", "n", o.PartnerAccounts, "took", time.Since(start).Round(time.Second))
	// What autovacuum does to freshly loaded tables before long: the
	// statistics, and the visibility map that lets a re-map read the key
	// index alone.
	_, err = conn.Exec(ctx, "VACUUM (ANALYZE) accounts, opportunities, partner_accounts, mapping_account_keys")
	return err
}
