package db

import (
	"context"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RevokeToken revokes token id and ends the console sessions opened with
// it, in one transaction, for `dealflow token revoke` and the admin API
// alike. It returns the token with who holds it and how many live sessions
// it ended; pgx.ErrNoRows when there is no such token. Revoking a revoked
// token keeps its first revocation time.
func RevokeToken(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID) (dbq.TokenListRow, int64, error) {
	var tok dbq.TokenListRow
	var ended int64
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		row, err := q.TokenRevoke(ctx, id)
		if err != nil {
			return err
		}
		tok = dbq.TokenListRow(row)
		ended, err = q.SessionsEndForToken(ctx, uuid.NullUUID{UUID: id, Valid: true})
		return err
	})
	return tok, ended, err
}
