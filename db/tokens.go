package db

import (
	"context"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RevokeToken revokes token id and ends the console sessions opened with
// it, in one transaction, for `dealflow token revoke` and the admin API
// alike. It returns the token with who holds it and how many live sessions
// it ended; pgx.ErrNoRows when there is no such token. Revoking a revoked
// token keeps its first revocation time. now is the service's clock: it
// stamps the revocation and decides which sessions are still live.
func RevokeToken(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID, now time.Time) (dbq.TokenListRow, int64, error) {
	var tok dbq.TokenListRow
	var ended int64
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		row, err := q.TokenRevoke(ctx, dbq.TokenRevokeParams{ID: id, Now: now})
		if err != nil {
			return err
		}
		tok = dbq.TokenListRow(row)
		ended, err = q.SessionsEndForToken(ctx, dbq.SessionsEndForTokenParams{TokenID: uuid.NullUUID{UUID: id, Valid: true}, Now: now})
		return err
	})
	return tok, ended, err
}
