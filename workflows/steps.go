package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// Steps is what the human steps of one workflow run share: they run one at
// a time under Mu and answer with State. Every context registers its steps
// through it (RegisterStep), so they all behave alike.
type Steps[S any] struct {
	// Mu makes steps (and whatever else changes the state, such as a
	// timer) take turns.
	Mu workflow.Mutex
	// State returns the run's state, which every step answers with.
	State func() S
	// Accepting refuses any step before its own validation, e.g. while a
	// deal is still being screened (nil: steps are always taken).
	Accepting func() error
	// Prepare runs under the lock before a step is validated again, e.g.
	// asking workflow.GetVersion for the rules the step is judged by (nil:
	// nothing).
	Prepare func(ctx workflow.Context, name string)
}

// RegisterStep registers one human step as an Update named name: validate
// refuses (before anything reaches history) what the actor or the state
// does not allow; apply records the step. Steps run one at a time, and
// each is validated again once it holds the lock, against the state the
// previous step left.
func RegisterStep[S, T any](ctx workflow.Context, s *Steps[S], name string, validate func(T) error, apply func(workflow.Context, T) error) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, arg T) (S, error) {
			if err := s.Mu.Lock(ctx); err != nil {
				return s.State(), err
			}
			defer s.Mu.Unlock()
			if s.Prepare != nil {
				s.Prepare(ctx, name)
			}
			if err := validate(arg); err != nil {
				return s.State(), err
			}
			if err := apply(ctx, arg); err != nil {
				return s.State(), err
			}
			return s.State(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, arg T) error {
			if s.Accepting != nil {
				if err := s.Accepting(); err != nil {
					return err
				}
			}
			return validate(arg)
		}})
}
