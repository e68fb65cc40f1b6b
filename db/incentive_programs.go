package db

import (
	"context"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CreateIncentiveProgram stores a program and its first rules version
// (canonical rules, reason "first version") in one transaction: both or
// neither. A code already taken is a unique violation (IsUniqueViolation).
func CreateIncentiveProgram(ctx context.Context, pool *pgxpool.Pool, p dbq.IncentiveProgramCreateParams, rules []byte) (dbq.IncentiveProgram, dbq.IncentiveProgramVersion, error) {
	var prog dbq.IncentiveProgram
	var ver dbq.IncentiveProgramVersion
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		var err error
		if prog, err = q.IncentiveProgramCreate(ctx, p); err != nil {
			return err
		}
		ver, err = q.IncentiveProgramVersionCreate(ctx, dbq.IncentiveProgramVersionCreateParams{ProgramID: prog.ID, Rules: rules,
			Reason: "first version", CreatedBy: p.CreatedBy})
		return err
	})
	return prog, ver, err
}
