package crm

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
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
// opportunities stream past them once, on mapStreams connections sharing
// the map's snapshot (started while the partner accounts load, a few
// batches ahead: mapfeed.go), while one worker a CPU takes them in
// batches: it hashes each vendor name's keys
// (domain.AppendMatchKeys), looks the batch's keys up part by part
// (keytable.go), screens each candidate by domains and countries
// (domain.MatchScreen) and scores the rest by the conflict engine's own
// scoring (domain.FindMatchScreened). The re-map's SQL scoring equals it to the
// last digit of score and explanation (TestMapAllScoresAsTheDatabase), so
// a full map always equals the incremental one. It writes only the
// difference from the overlaps stored (none when nothing changed): the
// new ones are copied in while the stream goes on, the rest once it ends,
// in one transaction that holds off the re-map triggers' writes until it
// commits. Into an empty table it copies without the primary key and the
// vendor index and builds them once the rows are in (mapbulk.go), which
// holds off readers too. It returns the overlaps there are. Bulk loads that set
// dealflow.mapping_defer call it after (`dealflow mapping rebuild`). It
// holds mapConns of the pool's connections at once.
//
// Memory: the partner accounts' index (about 150 MB for a hundred
// thousand accounts) and a few vendor batches whose rows hold no pointers
// (a million rows pass through them, giving the collector next to nothing
// to trace); about 320 MB allocated a map at that size. While the partner
// accounts load, the collector's target is raised (raiseGC).
func MapAll(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	if n := pool.Config().MaxConns; n < mapConns {
		return 0, fmt.Errorf("the account map needs %d database connections at once; the pool allows %d (pool_max_conns)", mapConns, n)
	}
	// A map into an empty table builds some of its indexes once the rows
	// are in (mapbulk.go), which takes the table from its readers too
	// (who would find nothing in it) until this commits.
	empty, err := overlapsEmpty(ctx, pool)
	if err != nil {
		return 0, err
	}
	lock := "EXCLUSIVE"
	if empty {
		lock = "ACCESS EXCLUSIVE"
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	// Before the snapshot: writers of overlaps (the triggers' re-maps)
	// wait until this commits, then re-map their own changes, which this
	// map does not see.
	if _, err := tx.Exec(ctx, "LOCK TABLE account_overlaps IN "+lock+" MODE"); err != nil {
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
	// The vendor's side starts streaming at once, so that the database
	// writes it out while the partner accounts load and are indexed: half
	// of them on another connection, half on this one, which then reads
	// the overlaps stored.
	feed := startVendorFeed(ctx, pool, snapshot, vendorStreams(blocks))
	defer feed.stop()
	var stored map[overlapKey]storedOverlap
	lowerGC := raiseGC()
	idx, err := loadMapIndex(ctx, pool, snapshot, tx, partnerBlocks, int(partnerRows), func(ctx context.Context) (err error) {
		stored, err = readStoredOverlaps(ctx, tx)
		return err
	})
	lowerGC()
	if err != nil {
		return 0, err
	}
	var aside []asideIndex
	if empty && len(stored) == 0 { // still empty, now that it is locked
		if aside, err = setIndexesAside(ctx, tx); err != nil {
			return 0, err
		}
	}
	// The new overlaps are copied in on this transaction's connection
	// while the vendor's side streams on others.
	w := newOverlapWriter(idx, stored)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.copyFresh(gctx, tx, aside, feed.done) })
	var found [][]overlap
	g.Go(func() error {
		defer close(w.fresh)
		var err error
		found, err = idx.matchFeed(gctx, feed, w.add)
		return err
	})
	if err := g.Wait(); err != nil {
		return 0, err
	}
	if err := w.finish(ctx, tx, found); err != nil {
		return 0, err
	}
	n := 0
	for _, f := range found {
		n += len(f)
	}
	return int64(n), tx.Commit(ctx)
}

// mapLoadGC is the collector's target (GOGC) while the partner accounts
// load: nearly all they allocate stays (the index), so cycles then find
// little to free. At the default target a map ran two or three cycles, at
// this one (measured) one.
const mapLoadGC = 400

// loadGC counts the maps of the process whose partner accounts are
// loading, and the target to restore once none is.
var loadGC struct {
	sync.Mutex
	n, old int
}

// raiseGC raises the collector's target to mapLoadGC (unless it is higher
// or off) and returns the function that lowers it again once no other map
// of the process is loading.
func raiseGC() (lower func()) {
	loadGC.Lock()
	defer loadGC.Unlock()
	if loadGC.n == 0 {
		if loadGC.old = debug.SetGCPercent(mapLoadGC); loadGC.old < 0 || loadGC.old > mapLoadGC {
			debug.SetGCPercent(loadGC.old)
		}
	}
	loadGC.n++
	return func() {
		loadGC.Lock()
		defer loadGC.Unlock()
		if loadGC.n--; loadGC.n == 0 {
			debug.SetGCPercent(loadGC.old)
		}
	}
}

// mapConns is how many of the pool's connections MapAll holds at once: its
// transaction's, mapStreams, and one more while the partner accounts
// load.
const mapConns = 2 + mapStreams

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

// matchFeed runs one worker a CPU matching the feed's batches until it
// ends; it hands each batch's overlaps to add as it goes, and returns
// them all, each worker's apart.
func (idx *mapIndex) matchFeed(ctx context.Context, f *vendorFeed, add func(context.Context, []overlap) error) ([][]overlap, error) {
	workers := max(runtime.GOMAXPROCS(0), 1)
	found := make([][]overlap, workers)
	errs := make([]error, workers)
	var matchers sync.WaitGroup
	for w := range workers {
		matchers.Add(1)
		go func() {
			defer matchers.Done()
			m := idx.matcher()
			for b := range f.work {
				if errs[w] != nil {
					continue // drain until the streams stop
				}
				// The batch's overlaps go on the end of the worker's; add
				// reads them while later batches append past them.
				before := len(found[w])
				found[w] = m.matchBatch(b, found[w])
				if errs[w] = add(ctx, found[w][before:len(found[w]):len(found[w])]); errs[w] != nil {
					f.cancel()
				}
				select { // the overlaps hold nothing of the batch's
				case f.free <- b:
				default:
				}
			}
		}()
	}
	matchers.Wait()
	<-f.done
	if f.err != nil {
		return nil, f.err
	}
	for w := range found {
		if errs[w] != nil {
			return nil, errs[w]
		}
	}
	return found, nil
}
