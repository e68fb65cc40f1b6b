package db

import (
	"context"

	"github.com/dealflow/dealflow/db/dbq"
)

// LineageReport is the outcome of VerifyLineage.
type LineageReport struct {
	OK bool `json:"ok"`
	// Programs counts the programs with two or more frozen cycles, whose
	// cycles were compared; WonInputs the won inputs compared.
	Programs  int   `json:"programs"`
	WonInputs int64 `json:"won_inputs"`
	// FrozenTwice names (up to ten per program) deals a program froze as
	// won in more than one cycle, which would pay them twice.
	FrozenTwice []FrozenTwice `json:"frozen_twice,omitempty"`
}

// FrozenTwice is a deal a program froze as won in several cycles.
type FrozenTwice struct {
	ProgramID string   `json:"program_id"`
	DealID    string   `json:"deal_id"`
	Cycles    []string `json:"cycles"`
}

// VerifyLineage checks the incentive cycles' lineage: no program froze a
// deal as won twice. Each cycle's inputs are a partition of their own
// whose unique index refuses a deal twice within the cycle, so only the
// cycles of one program are compared with each other, a program at a time
// (the freeze rules a second freezing out; this proves it).
func VerifyLineage(ctx context.Context, q *dbq.Queries) (LineageReport, error) {
	var rep LineageReport
	programs, err := q.LineagePrograms(ctx)
	if err != nil {
		return rep, err
	}
	for _, p := range programs {
		cmp, err := q.LineageCompare(ctx, dbq.LineageCompareParams{Cycles: p.Cycles, MaxRows: 10})
		if err != nil {
			return rep, err
		}
		rep.Programs++
		rep.WonInputs += cmp.Compared
		for _, deal := range cmp.FrozenTwice {
			cycles, err := q.LineageDealCycles(ctx, dbq.LineageDealCyclesParams{Cycles: p.Cycles, DealID: deal})
			if err != nil {
				return rep, err
			}
			f := FrozenTwice{ProgramID: p.ProgramID.String(), DealID: deal.String()}
			for _, c := range cycles {
				f.Cycles = append(f.Cycles, c.String())
			}
			rep.FrozenTwice = append(rep.FrozenTwice, f)
		}
	}
	rep.OK = len(rep.FrozenTwice) == 0
	return rep, nil
}
