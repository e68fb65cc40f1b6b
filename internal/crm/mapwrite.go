package crm

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// overlapKey is account_overlaps' primary key.
type overlapKey struct {
	partnerAccount uuid.UUID
	kind           string
	vendor         uuid.UUID
}

// storedOverlap is the rest of a stored overlap's row.
type storedOverlap struct {
	partner            uuid.UUID
	relation, category string
	score              float64
	class, explanation string
}

var overlapColumns = []string{"partner_account_id", "vendor_kind", "vendor_id", "partner_id", "partner_relation", "vendor_category", "score", "class", "explanation"}

// readStoredOverlaps reads the overlaps the map holds now.
func readStoredOverlaps(ctx context.Context, tx pgx.Tx) (map[overlapKey]storedOverlap, error) {
	rows, err := tx.Query(ctx, `SELECT partner_account_id, vendor_kind, vendor_id, partner_id, partner_relation, vendor_category, score::float8, class, explanation
	    FROM account_overlaps`)
	if err != nil {
		return nil, err
	}
	stored := map[overlapKey]storedOverlap{}
	var k overlapKey
	var o storedOverlap
	// The ids as [16]byte, as loadPartnerRange scans them: uuid.UUID would
	// be scanned through its text.
	_, err = pgx.ForEachRow(rows, []any{(*[16]byte)(&k.partnerAccount), &k.kind, (*[16]byte)(&k.vendor), (*[16]byte)(&o.partner),
		&o.relation, &o.category, &o.score, &o.class, &o.explanation},
		func() error { stored[k] = o; return nil })
	return stored, err
}

// overlapWriter copies the overlaps the map finds into account_overlaps
// while the map goes on: those whose key no stored overlap has go straight
// into one COPY; the rest wait for finish, which compares them with what
// is stored. Matchers call add from several goroutines; the stored map is
// only read until finish.
type overlapWriter struct {
	idx    *mapIndex
	stored map[overlapKey]storedOverlap
	fresh  chan []overlap
}

func newOverlapWriter(idx *mapIndex, stored map[overlapKey]storedOverlap) *overlapWriter {
	return &overlapWriter{idx: idx, stored: stored, fresh: make(chan []overlap, 8)}
}

func (w *overlapWriter) key(f *overlap) overlapKey {
	return overlapKey{w.idx.parties[f.partner].id, f.kind, f.vendor}
}

// add hands the new ones among a batch's overlaps to the COPY (all of
// them, not copied, when none is stored).
func (w *overlapWriter) add(ctx context.Context, batch []overlap) error {
	fresh := batch
	if len(w.stored) > 0 {
		fresh = nil
		for i := range batch {
			if _, ok := w.stored[w.key(&batch[i])]; !ok {
				fresh = append(fresh, batch[i])
			}
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	select {
	case w.fresh <- fresh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// copyFresh runs the COPY of the new overlaps until the channel closes,
// and builds the indexes set aside (aside) before it returns: once
// streamed closes (the vendor's side is all read, a few batches left to
// match) it ends the COPY, builds them while the matchers finish, and
// copies the rest into them. The builds take one core, which the
// matchers' last batches keep the other busy with, instead of leaving it
// idle at the end.
func (w *overlapWriter) copyFresh(ctx context.Context, tx pgx.Tx, aside []asideIndex, streamed <-chan struct{}) error {
	src := &overlapSource{w: w, ctx: ctx}
	if len(aside) > 0 {
		src.pause = streamed
	}
	copyIn := func() error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"account_overlaps"}, overlapColumns, src); err != nil {
			return fmt.Errorf("new overlaps: %w", err)
		}
		return nil
	}
	if err := copyIn(); err != nil {
		return err
	}
	if err := buildIndexes(ctx, tx, aside); err != nil {
		return err
	}
	if !src.paused { // the overlaps ended first
		return nil
	}
	src.pause, src.paused = nil, false
	return copyIn()
}

// finish makes account_overlaps what found says, once the new overlaps are
// copied: it deletes the stored rows found no longer holds or holds
// otherwise, and copies in the changed ones.
func (w *overlapWriter) finish(ctx context.Context, tx pgx.Tx, found [][]overlap) error {
	gone := w.stored
	var changed []overlap
	for _, found := range found {
		for i := range found {
			f := &found[i]
			key := w.key(f)
			have, ok := gone[key]
			if !ok {
				continue // new: copied already
			}
			p := &w.idx.parties[f.partner]
			if have != (storedOverlap{p.partner, p.relation, f.category, f.score, f.class, f.explanation}) {
				changed = append(changed, *f)
				continue // deleted below, copied in again
			}
			delete(gone, key)
		}
	}
	if len(gone) > 0 {
		var ps, vs []uuid.UUID
		var ks []string
		for key := range gone {
			ps, ks, vs = append(ps, key.partnerAccount), append(ks, key.kind), append(vs, key.vendor)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM account_overlaps o USING unnest($1::uuid[], $2::text[], $3::uuid[]) g(p, k, v)
		    WHERE o.partner_account_id = g.p AND o.vendor_kind = g.k AND o.vendor_id = g.v`, ps, ks, vs); err != nil {
			return fmt.Errorf("overlaps gone: %w", err)
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"account_overlaps"}, overlapColumns,
		pgx.CopyFromSlice(len(changed), func(j int) ([]any, error) { return w.values(&changed[j]), nil }))
	if err != nil {
		return fmt.Errorf("changed overlaps: %w", err)
	}
	return nil
}

// values is f's row of account_overlaps.
func (w *overlapWriter) values(f *overlap) []any {
	p := &w.idx.parties[f.partner]
	// uuid.UUID would be encoded through its text; [16]byte is copied.
	return []any{[16]byte(p.id), f.kind, [16]byte(f.vendor), [16]byte(p.partner), p.relation, f.category, f.score, f.class, f.explanation}
}

// overlapSource is the COPY's source: the new overlaps as the matchers
// find them. It ends early (paused) once pause closes, between batches.
type overlapSource struct {
	w      *overlapWriter
	ctx    context.Context
	pause  <-chan struct{}
	paused bool
	batch  []overlap
	row    []any
	err    error
}

func (s *overlapSource) Next() bool {
	for len(s.batch) == 0 {
		select {
		case b, ok := <-s.w.fresh:
			if !ok {
				return false
			}
			s.batch = b
		case <-s.pause:
			s.paused = true
			return false
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return false
		}
	}
	s.row, s.batch = s.w.values(&s.batch[0]), s.batch[1:]
	return true
}

func (s *overlapSource) Values() ([]any, error) { return s.row, nil }

func (s *overlapSource) Err() error { return s.err }
