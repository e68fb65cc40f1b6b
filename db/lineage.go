package db

import (
	"context"

	"github.com/dealflow/dealflow/db/dbq"
)

// LineageReport is the outcome of VerifyLineage.
type LineageReport struct {
	OK bool `json:"ok"`
	// WonInputs counts the won inputs of every cycle.
	WonInputs int64 `json:"won_inputs"`
	// FrozenTwice names (up to ten) deals a program froze as won in more
	// than one cycle, which would pay them twice.
	FrozenTwice []FrozenTwice `json:"frozen_twice,omitempty"`
}

// FrozenTwice is a deal a program froze as won in several cycles.
type FrozenTwice struct {
	ProgramID string   `json:"program_id"`
	DealID    string   `json:"deal_id"`
	Cycles    []string `json:"cycles"`
}

// VerifyLineage checks the incentive cycles' lineage: no program froze a
// deal as won twice (each cycle's inputs are a partition of their own, so
// no one index can refuse it; the freeze rules it out and this proves it).
func VerifyLineage(ctx context.Context, q *dbq.Queries) (LineageReport, error) {
	var rep LineageReport
	var err error
	if rep.WonInputs, err = q.LineageWonInputs(ctx); err != nil {
		return rep, err
	}
	rows, err := q.LineageFrozenTwice(ctx, 10)
	if err != nil {
		return rep, err
	}
	for _, r := range rows {
		f := FrozenTwice{ProgramID: r.ProgramID.String(), DealID: r.DealID.String()}
		for _, c := range r.Cycles {
			f.Cycles = append(f.Cycles, c.String())
		}
		rep.FrozenTwice = append(rep.FrozenTwice, f)
	}
	rep.OK = len(rep.FrozenTwice) == 0
	return rep, nil
}
