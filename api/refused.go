package api

import (
	"net/http"

	"github.com/dealflow/dealflow/workflows"
	"github.com/gin-gonic/gin"
)

// target is what a step was sent to, for the answer to a refusal: its noun
// ("deal", "cycle") and how to read its current status for a 409 (nil:
// the answer does not tell it).
type target struct {
	noun   string
	status func() string
}

// refused answers err from a typed client (workflows/deal,
// workflows/incentive): each kind of refusal (workflows.Refusal) has one
// HTTP answer, whichever context refused; anything else is a dependency
// failure (503, logged).
func (s *Server) refused(c *gin.Context, err error, t target) {
	r, ok := workflows.AsRefusal(err)
	if !ok {
		s.unavailable(c, err)
		return
	}
	conflict := func(typ, title, detail string) {
		p := Problem{Type: typ, Status: http.StatusConflict, Title: title, Detail: detail}
		if t.status != nil {
			p.CurrentStatus = t.status()
		}
		writeProblem(c, p)
	}
	switch r.Kind {
	case workflows.ErrTypeInvalidTransition:
		conflict(ProblemConflict, "Transition not allowed", r.Message)
	case workflows.ErrTypeFourEyes:
		conflict(ProblemFourEyes, "A different approver is required", r.Message)
	case workflows.ErrTypeLimitReached:
		conflict(ProblemLimit, "Policy limit reached", r.Message)
	case workflows.ErrTypeFinished:
		// The workflow has ended: a deal is in a final status.
		p := Problem{Type: ProblemConflict, Status: http.StatusConflict, Title: "Transition not allowed"}
		status := "finished"
		if t.status != nil {
			status = t.status()
			p.CurrentStatus = status
		}
		p.Detail = "the " + t.noun + " is " + status + " and takes no further steps"
		writeProblem(c, p)
	case workflows.ErrTypeAlreadyExists:
		problem(c, http.StatusConflict, ProblemDuplicate, r.Message)
	case workflows.ErrTypeForbidden:
		problem(c, http.StatusForbidden, ProblemForbidden, r.Message)
	case workflows.ErrTypeNotFound:
		problem(c, http.StatusNotFound, ProblemNotFound, r.Message)
	case workflows.ErrTypeInvalidArgument:
		p := Problem{Type: ProblemValidation, Status: http.StatusUnprocessableEntity,
			Title: "Request fields are invalid", Detail: r.Message}
		if f := r.Field; f != nil {
			p.Errors = []FieldError{{Field: f.Field, Message: f.Message}}
		}
		writeProblem(c, p)
	case workflows.ErrTypeKeyReused:
		idempotencyMismatch(c)
	default:
		s.unavailable(c, err)
	}
}
