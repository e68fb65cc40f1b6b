package crm

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// mapBuiltAfter are the indexes of account_overlaps that a map into an
// empty table builds once its rows are in, instead of inserting each row
// into them: both lead with a random uuid, so that each of a full map's
// rows lands on a leaf of its own, and sorting the keys once costs a
// fraction of that (measured at 62,000 overlaps: about 0.6 CPU-s of
// inserts against 0.14 s of building). account_overlaps_partner stays: its
// few distinct keys take rows in order, at about the cost of building it.
var mapBuiltAfter = []string{"account_overlaps_pkey", "account_overlaps_vendor"}

// overlapsEmpty reports whether no overlap is stored (a first map, or
// one after the overlaps were cleared).
func overlapsEmpty(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var empty bool
	err := pool.QueryRow(ctx, "SELECT NOT EXISTS (SELECT FROM account_overlaps)").Scan(&empty)
	return empty, err
}

// asideIndex is an index set aside: how to drop it and how to build it
// again, from the catalogue's own definition.
type asideIndex struct{ drop, build string }

// setIndexesAside drops mapBuiltAfter's indexes on tx, which must hold
// account_overlaps in ACCESS EXCLUSIVE mode, and returns those it dropped
// (a name the table does not have is skipped), for buildIndexes to build
// again before tx commits. A primary key is dropped and added back as a
// constraint.
func setIndexesAside(ctx context.Context, tx pgx.Tx) ([]asideIndex, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, pg_get_indexdef(c.oid), con.conname, pg_get_constraintdef(con.oid)
	    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	    LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
	    WHERE i.indrelid = 'account_overlaps'::regclass AND c.relname = ANY ($1)
	    ORDER BY con.conname NULLS LAST, c.relname`, mapBuiltAfter)
	if err != nil {
		return nil, err
	}
	var aside []asideIndex
	var name, def string
	var con, conDef *string
	if _, err := pgx.ForEachRow(rows, []any{&name, &def, &con, &conDef}, func() error {
		ix := asideIndex{drop: "DROP INDEX " + pgx.Identifier{name}.Sanitize(), build: def}
		if con != nil {
			c := pgx.Identifier{*con}.Sanitize()
			ix = asideIndex{drop: "ALTER TABLE account_overlaps DROP CONSTRAINT " + c,
				build: "ALTER TABLE account_overlaps ADD CONSTRAINT " + c + " " + *conDef}
		}
		aside = append(aside, ix)
		return nil
	}); err != nil {
		return nil, err
	}
	for _, ix := range aside {
		if _, err := tx.Exec(ctx, ix.drop); err != nil {
			return nil, fmt.Errorf("setting an index aside: %w", err)
		}
	}
	return aside, nil
}

// buildIndexes builds the indexes setIndexesAside dropped.
func buildIndexes(ctx context.Context, tx pgx.Tx, aside []asideIndex) error {
	for _, ix := range aside {
		if _, err := tx.Exec(ctx, ix.build); err != nil {
			return fmt.Errorf("building an index set aside: %w", err)
		}
	}
	return nil
}
