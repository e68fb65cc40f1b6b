package api

import (
	"net/http"

	"github.com/dealflow/dealflow/internal/web"
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
		web.Unavailable(c, s.log, err)
		return
	}
	conflict := func(typ, title, detail string) {
		p := web.Problem{Type: typ, Status: http.StatusConflict, Title: title, Detail: detail}
		if t.status != nil {
			p.CurrentStatus = t.status()
		}
		web.WriteProblem(c, p)
	}
	switch r.Kind {
	case workflows.ErrTypeInvalidTransition:
		conflict(web.ProblemConflict, "Transition not allowed", r.Message)
	case workflows.ErrTypeFourEyes:
		conflict(web.ProblemFourEyes, "A different approver is required", r.Message)
	case workflows.ErrTypeLimitReached:
		conflict(web.ProblemLimit, "Policy limit reached", r.Message)
	case workflows.ErrTypeFinished:
		// The workflow has ended: a deal is in a final status.
		p := web.Problem{Type: web.ProblemConflict, Status: http.StatusConflict, Title: "Transition not allowed"}
		status := "finished"
		if t.status != nil {
			status = t.status()
			p.CurrentStatus = status
		}
		p.Detail = "the " + t.noun + " is " + status + " and takes no further steps"
		web.WriteProblem(c, p)
	case workflows.ErrTypeAlreadyExists:
		web.Fail(c, http.StatusConflict, web.ProblemDuplicate, r.Message)
	case workflows.ErrTypeForbidden:
		web.Fail(c, http.StatusForbidden, web.ProblemForbidden, r.Message)
	case workflows.ErrTypeNotFound:
		web.Fail(c, http.StatusNotFound, web.ProblemNotFound, r.Message)
	case workflows.ErrTypeInvalidArgument:
		p := web.Problem{Type: web.ProblemValidation, Status: http.StatusUnprocessableEntity,
			Title: "Request fields are invalid", Detail: r.Message}
		if f := r.Field; f != nil {
			p.Errors = []web.FieldError{{Field: f.Field, Message: f.Message}}
		}
		web.WriteProblem(c, p)
	case workflows.ErrTypeKeyReused:
		idempotencyMismatch(c)
	default:
		web.Unavailable(c, s.log, err)
	}
}
