package crm

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// overlap is one row of account_overlaps.
type overlap struct {
	partner            int32 // its index in mapIndex.parties
	kind, category     string
	vendor             uuid.UUID
	score              float64
	class, explanation string
}

// MapAll rebuilds every account overlap. The partner accounts are read
// into memory on two connections and indexed by their name blocking keys
// and domain names (the candidates the incremental re-map, mapping_remap,
// finds through the database's indexes). The vendor's accounts and open
// opportunities are then streamed past them once, on mapStreams
// connections sharing the map's snapshot, while one worker a CPU takes
// them in batches: it hashes each vendor name's keys
// (domain.AppendNameKeys), looks the batch's keys up part by part
// (keytable.go), screens each candidate by domains and countries
// (domain.MatchScreen) and scores the rest by the conflict engine's own
// scoring (domain.FindMatch). The re-map's SQL scoring equals it to the
// last digit of score and explanation (TestMapAllScoresAsTheDatabase), so
// a full map always equals the incremental one. It writes only the
// difference from the overlaps stored (none when nothing changed): the
// new ones are copied in while the stream goes on, the rest once it ends,
// in one transaction that holds off the re-map triggers' writes until it
// commits. It returns the overlaps there are. Bulk loads that set
// dealflow.mapping_defer call it after (`dealflow mapping rebuild`). It
// holds mapConns of the pool's connections at once.
func MapAll(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	if n := pool.Config().MaxConns; n < mapConns {
		return 0, fmt.Errorf("the account map needs %d database connections at once; the pool allows %d (pool_max_conns)", mapConns, n)
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	// Before the snapshot: writers of overlaps (the triggers' re-maps)
	// wait until this commits, then re-map their own changes, which this
	// map does not see.
	if _, err := tx.Exec(ctx, "LOCK TABLE account_overlaps IN EXCLUSIVE MODE"); err != nil {
		return 0, err
	}
	var snapshot string
	var blocks, partnerBlocks, partnerRows int64
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot(), pg_relation_size('accounts') / current_setting('block_size')::int,
	        pg_relation_size('partner_accounts') / current_setting('block_size')::int,
	        greatest((SELECT reltuples FROM pg_class WHERE oid = 'partner_accounts'::regclass), 0)::bigint`).
		Scan(&snapshot, &blocks, &partnerBlocks, &partnerRows); err != nil {
		return 0, err
	}
	// The partner accounts on other connections, the overlaps stored on
	// this one, at once.
	var idx *mapIndex
	var stored map[overlapKey]storedOverlap
	load, lctx := errgroup.WithContext(ctx)
	load.Go(func() (err error) {
		idx, err = loadMapIndex(lctx, pool, snapshot, partnerBlocks, int(partnerRows))
		return err
	})
	load.Go(func() (err error) {
		stored, err = readStoredOverlaps(lctx, tx)
		return err
	})
	if err := load.Wait(); err != nil {
		return 0, err
	}
	// The new overlaps are copied in on this transaction's connection
	// while the vendor's side streams on others.
	w := newOverlapWriter(idx, stored)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.copyFresh(gctx, tx) })
	var found []overlap
	g.Go(func() error {
		defer close(w.fresh)
		var err error
		found, err = idx.scan(gctx, pool, snapshot, vendorStreams(blocks), w.add)
		return err
	})
	if err := g.Wait(); err != nil {
		return 0, err
	}
	if err := w.finish(ctx, tx, found); err != nil {
		return 0, err
	}
	return int64(len(found)), tx.Commit(ctx)
}

// mapConns is how many of the pool's connections MapAll holds at once: its
// transaction's and mapStreams (two while the partner accounts load).
const mapConns = 1 + mapStreams

// mapStreams is how many connections read the vendor's side at once: the
// database's part of the map (writing the rows out) is about half its
// work, so two keep both CPUs of a small machine busy.
const mapStreams = 2

// vendorStreams splits the vendor's side into mapStreams queries: the
// accounts by ranges of their table's blocks (TID range scans), the open
// opportunities with the last range. Each selects kind, category, id,
// names, registrable domain, domain name and country.
func vendorStreams(blocks int64) []string {
	var out []string
	for _, r := range blockRanges(blocks, mapStreams) {
		q := `SELECT 'account', relation, id, name_full, name_core, registrable_domain, domain_label, country
		    FROM accounts WHERE ` + blockRange(r[0], r[1])
		if r[1] < 0 {
			q += ` UNION ALL SELECT 'opportunity', 'opportunity', id, name_full, name_core, registrable_domain, domain_label, country
			    FROM opportunities WHERE status = 'open'`
		}
		out = append(out, q)
	}
	return out
}

// blockRanges splits a table of blocks blocks into n ranges of blocks
// [from, to), the last open-ended (to -1), so that rows added past the
// size read are not missed.
func blockRanges(blocks, n int64) [][2]int64 {
	step := blocks/n + 1
	out := make([][2]int64, n)
	for i := range n {
		out[i] = [2]int64{i * step, (i + 1) * step}
	}
	out[n-1][1] = -1
	return out
}

// blockRange is the condition on a table's rows in its blocks [from, to),
// to its end when to is negative: a TID range scan.
func blockRange(from, to int64) string {
	c := fmt.Sprintf(`ctid >= '(%d,0)'::tid`, from)
	if to >= 0 {
		c += fmt.Sprintf(` AND ctid < '(%d,0)'::tid`, to)
	}
	return c
}

// snapshotTx begins a read-only transaction that sees the map's snapshot
// (exported by MapAll's own transaction), for reading on another
// connection.
func snapshotTx(ctx context.Context, pool *pgxpool.Pool, snapshot string) (pgx.Tx, error) {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+snapshot+"'"); err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	return tx, nil
}

// vendorRow is one vendor account or open opportunity, with what scoring
// needs of it.
type vendorRow struct {
	kind, category                 string
	id                             uuid.UUID
	full, core, registrable, label string
	country                        string
}

// mapBatch is how many vendor rows a matcher takes at once: enough keys
// (about fifteen a row) that each part of the key tables is looked up
// hundreds of times while it is in the cache.
const mapBatch = 16384

// scan runs the vendor streams, each on its own connection in snapshot,
// and one worker a CPU matching their rows; it hands each batch's overlaps
// to add as it goes, and returns them all.
func (idx *mapIndex) scan(ctx context.Context, pool *pgxpool.Pool, snapshot string, streams []string,
	add func(context.Context, []overlap) error) ([]overlap, error) {
	work := make(chan []vendorRow, len(streams))
	workers := max(runtime.GOMAXPROCS(0), 1)
	// Batches matched go back to the readers to be filled again: a million
	// rows pass through a few batches' memory.
	free := make(chan []vendorRow, len(streams)+2*workers)
	readers, rctx := errgroup.WithContext(ctx)
	for _, q := range streams {
		readers.Go(func() error {
			return readVendors(rctx, pool, snapshot, q, mapBatch, free, work)
		})
	}
	found := make([][]overlap, workers)
	errs := make([]error, workers)
	var matchers sync.WaitGroup
	for w := range workers {
		matchers.Add(1)
		go func() {
			defer matchers.Done()
			m := idx.matcher()
			for rows := range work {
				if errs[w] != nil {
					continue // drain, so that no reader waits
				}
				got := m.matchBatch(rows, nil)
				errs[w] = add(ctx, got)
				found[w] = append(found[w], got...)
				select { // the overlaps hold nothing of the batch's
				case free <- rows[:0]:
				default:
				}
			}
		}()
	}
	err := readers.Wait()
	close(work)
	matchers.Wait()
	if err != nil {
		return nil, fmt.Errorf("vendor records: %w", err)
	}
	var all []overlap
	for w, f := range found {
		if errs[w] != nil {
			return nil, errs[w]
		}
		all = append(all, f...)
	}
	return all, nil
}

// readVendors runs one vendor stream in a read-only transaction on
// snapshot and sends its rows to work in batches, filling those free
// holds before new ones. A batch's text shares one string (its rows'
// fields are substrings of it), so that a million rows cost a few hundred
// allocations, not millions.
func readVendors(ctx context.Context, pool *pgxpool.Pool, snapshot, query string, batch int, free <-chan []vendorRow, work chan<- []vendorRow) error {
	tx, err := snapshotTx(ctx, pool, snapshot)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		text strings.Builder
		ends [][5]int
	)
	next := func() []vendorRow {
		select {
		case b := <-free:
			return b
		default:
			return make([]vendorRow, 0, batch)
		}
	}
	buf := next()
	send := func() error {
		s := text.String()
		for i := range buf {
			e, start := ends[i], 0
			if i > 0 {
				start = ends[i-1][4]
			}
			v := &buf[i]
			v.full, v.core, v.registrable, v.label, v.country = s[start:e[0]], s[e[0]:e[1]], s[e[1]:e[2]], s[e[2]:e[3]], s[e[3]:e[4]]
		}
		select {
		case work <- buf:
		case <-ctx.Done():
			return ctx.Err()
		}
		buf, ends = next(), ends[:0]
		// The next batch's text is about as long: sized at once, it is
		// neither copied nor grown.
		text = strings.Builder{}
		text.Grow(len(s) + len(s)/8)
		return nil
	}
	// The raw values, without Scan: text columns come as their bytes, the
	// id as uuid's 16 binary bytes.
	for rows.Next() {
		vals := rows.RawValues()
		if len(vals) != 8 || len(vals[2]) != 16 {
			return fmt.Errorf("vendor row: %d columns, id of %d bytes", len(vals), len(vals[2]))
		}
		buf = append(buf, vendorRow{kind: intern(vals[0]), category: intern(vals[1]), id: uuid.UUID(vals[2])})
		var e [5]int
		for j, b := range vals[3:] {
			text.Write(b)
			e[j] = text.Len()
		}
		ends = append(ends, e)
		if len(buf) == batch {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(buf) > 0 {
		return send()
	}
	return nil
}

// intern returns the one copy of a vendor kind or category.
func intern(b []byte) string {
	for _, c := range []string{"account", "opportunity", RelationCustomer, RelationProspect} {
		if string(b) == c {
			return c
		}
	}
	return string(b)
}
