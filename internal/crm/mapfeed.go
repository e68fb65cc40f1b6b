package crm

import (
	"context"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// vendorFeed is the vendor's side of a map on its way in: the vendor
// streams, each on its own connection in the map's snapshot, filling
// batches of rows. It starts before the partner accounts are indexed, so
// that the database writes rows out while the index is built; work holds
// the batches read ahead until the matchers take them.
type vendorFeed struct {
	work   chan *vendorBatch // closed once every stream has ended
	free   chan *vendorBatch // batches matched, to be filled again
	cancel context.CancelFunc
	done   chan struct{} // closed once every stream has ended
	err    error         // the streams' first error, once done
}

// feedAhead is how many batches the vendor streams read ahead of the
// matchers (about 2 MB each). On two cores the partner accounts' load
// keeps both busy already (reading 16 ahead measured the same as 1); with
// more, the streams use the cores the load leaves idle.
const feedAhead = 4

// startVendorFeed starts the vendor streams (vendorStreams) in snapshot.
func startVendorFeed(ctx context.Context, pool *pgxpool.Pool, snapshot string, streams []string) *vendorFeed {
	ctx, cancel := context.WithCancel(ctx)
	workers := max(runtime.GOMAXPROCS(0), 1)
	f := &vendorFeed{
		work: make(chan *vendorBatch, feedAhead),
		// Batches matched go back to the readers to be filled again: a
		// million rows pass through a dozen batches' memory.
		free:   make(chan *vendorBatch, feedAhead+len(streams)+2*workers),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	readers, rctx := errgroup.WithContext(ctx)
	for _, q := range streams {
		readers.Go(func() error {
			return readVendors(rctx, pool, snapshot, q, mapBatch, f.free, f.work)
		})
	}
	go func() {
		if err := readers.Wait(); err != nil {
			f.err = fmt.Errorf("vendor records: %w", err)
		}
		close(f.work)
		close(f.done)
	}()
	return f
}

// stop ends the streams (if they have not ended) and waits for them to
// give their connections back.
func (f *vendorFeed) stop() {
	f.cancel()
	<-f.done
}

// vendorBatch is a batch of vendor rows and their text. The rows hold no
// pointers, only where their fields end in text, which is reused from
// batch to batch: a million rows pass through a dozen batches' memory
// and give the garbage collector next to nothing to trace.
type vendorBatch struct {
	rows []vendorRow
	text []byte
}

// vendorRow is one vendor account or open opportunity, with what scoring
// needs of it: its fields are its batch's text up to ends[0] (the full
// name, from start), ends[1] (the core name), ends[2] (the registrable
// domain), ends[3] (the domain name) and ends[4] (the country).
type vendorRow struct {
	id             uuid.UUID
	kind, category uint8 // indices into mapCodes
	start          uint32
	ends           [5]uint32
}

// vendorFields are a vendor row's fields as strings over its batch's
// text: valid until the batch is filled again.
type vendorFields struct{ full, core, registrable, label, country string }

// fields returns row r's fields.
func (b *vendorBatch) fields(r *vendorRow) vendorFields {
	f := func(from, to uint32) string {
		if from == to {
			return ""
		}
		return unsafe.String(&b.text[from], to-from)
	}
	return vendorFields{f(r.start, r.ends[0]), f(r.ends[0], r.ends[1]), f(r.ends[1], r.ends[2]),
		f(r.ends[2], r.ends[3]), f(r.ends[3], r.ends[4])}
}

// mapCodes are the kinds and relations the map reads: a vendor record's
// kind and category, a partner account's relation (the tables' checks
// allow no others).
var mapCodes = [...]string{"account", "opportunity", RelationCustomer, RelationProspect}

// mapCode returns b's index in mapCodes.
func mapCode(b []byte) (uint8, error) {
	for i, c := range mapCodes {
		if string(b) == c {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("kind or relation %q", b)
}

// mapBatch is how many vendor rows a matcher takes at once: enough keys
// (about fifteen a row) that each part of the key tables is looked up
// hundreds of times while it is in the cache. Tests make it small, so
// that batches are filled again many times.
var mapBatch = 16384

// readVendors runs one vendor stream in a read-only transaction on
// snapshot and sends its rows to work in batches of batch rows, filling
// those free holds before new ones.
func readVendors(ctx context.Context, pool *pgxpool.Pool, snapshot, query string, batch int, free <-chan *vendorBatch, work chan<- *vendorBatch) error {
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
	next := func() *vendorBatch {
		select {
		case b := <-free:
			b.rows, b.text = b.rows[:0], b.text[:0]
			return b
		default:
			// About 90 bytes of text a row: room for most batches at once.
			return &vendorBatch{rows: make([]vendorRow, 0, batch), text: make([]byte, 0, 96*batch)}
		}
	}
	b := next()
	send := func() error {
		select {
		case work <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b = next()
		return nil
	}
	// The raw values, without Scan: text columns come as their bytes, the
	// id as uuid's 16 binary bytes.
	for rows.Next() {
		vals := rows.RawValues()
		if len(vals) != 8 || len(vals[2]) != 16 {
			return fmt.Errorf("vendor row: %d columns, id of %d bytes", len(vals), len(vals[2]))
		}
		v := vendorRow{id: uuid.UUID(vals[2]), start: uint32(len(b.text))}
		if v.kind, err = mapCode(vals[0]); err != nil {
			return err
		}
		if v.category, err = mapCode(vals[1]); err != nil {
			return err
		}
		for j, f := range vals[3:] {
			b.text = append(b.text, f...)
			v.ends[j] = uint32(len(b.text))
		}
		b.rows = append(b.rows, v)
		if len(b.rows) == batch {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(b.rows) > 0 {
		return send()
	}
	return nil
}
