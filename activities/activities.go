// Package activities is what every context's activities share: the
// classification of errors no retry can fix (Classify, and the worker
// interceptor that applies it to every activity), and the helpers that
// build such errors. The activities themselves live one package per
// business context — activities/deal (recording a deal's steps,
// screening), activities/incentive (opening, freezing, accruing and paying
// cycles, their review events) — each a struct holding its own
// dependencies, whose methods are the durable, idempotent steps of that
// context's workflows and nothing else's.
package activities

import (
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// PersonID is the person behind an event's actor, as stored (NULL: a
// service, dealflow itself, or an actor recorded before people existed).
// An id that is not one is stored as NULL rather than stop the recording
// of a step already accepted.
func PersonID(a domain.Actor) uuid.NullUUID {
	id, err := uuid.Parse(a.PersonID)
	return uuid.NullUUID{UUID: id, Valid: err == nil}
}
