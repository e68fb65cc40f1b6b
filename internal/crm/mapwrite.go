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

// writeOverlaps makes account_overlaps what found says: it deletes the
// rows found no longer holds or holds otherwise, and copies in the new and
// changed ones.
func writeOverlaps(ctx context.Context, tx pgx.Tx, idx *mapIndex, found []overlap) error {
	rows, err := tx.Query(ctx, `SELECT partner_account_id, vendor_kind, vendor_id, partner_id, partner_relation, vendor_category, score::float8, class, explanation
	    FROM account_overlaps`)
	if err != nil {
		return err
	}
	stored := map[overlapKey]storedOverlap{}
	var k overlapKey
	var o storedOverlap
	_, err = pgx.ForEachRow(rows, []any{&k.partnerAccount, &k.kind, &k.vendor, &o.partner, &o.relation, &o.category, &o.score, &o.class, &o.explanation},
		func() error { stored[k] = o; return nil })
	if err != nil {
		return err
	}
	var add []int
	for i := range found {
		f, p := &found[i], &idx.parties[found[i].partner]
		key := overlapKey{p.id, f.kind, f.vendor}
		want := storedOverlap{p.partner, p.relation, f.category, f.score, f.class, f.explanation}
		if have, ok := stored[key]; ok {
			delete(stored, key)
			if have == want {
				continue
			}
			stored[key] = have // changed: deleted below, copied in again
		}
		add = append(add, i)
	}
	if len(stored) > 0 {
		var ps, vs []uuid.UUID
		var ks []string
		for key := range stored {
			ps, ks, vs = append(ps, key.partnerAccount), append(ks, key.kind), append(vs, key.vendor)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM account_overlaps o USING unnest($1::uuid[], $2::text[], $3::uuid[]) g(p, k, v)
		    WHERE o.partner_account_id = g.p AND o.vendor_kind = g.k AND o.vendor_id = g.v`, ps, ks, vs); err != nil {
			return fmt.Errorf("overlaps gone: %w", err)
		}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"account_overlaps"},
		[]string{"partner_account_id", "vendor_kind", "vendor_id", "partner_id", "partner_relation", "vendor_category", "score", "class", "explanation"},
		pgx.CopyFromSlice(len(add), func(j int) ([]any, error) {
			f, p := &found[add[j]], &idx.parties[found[add[j]].partner]
			// uuid.UUID would be encoded through its text; [16]byte is copied.
			return []any{[16]byte(p.id), f.kind, [16]byte(f.vendor), [16]byte(p.partner), p.relation, f.category, f.score, f.class, f.explanation}, nil
		}))
	if err != nil {
		return fmt.Errorf("new overlaps: %w", err)
	}
	return nil
}
