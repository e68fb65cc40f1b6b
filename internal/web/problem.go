package web

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// ProblemContentType is the media type of every error answer (RFC 9457).
const ProblemContentType = "application/problem+json"

// FieldError says what is wrong with one field of a request body. Field is
// the dotted JSON path ("customer.domain", "product_lines[0]").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem details object. Type is a stable URI that
// clients may switch on; Errors lists per-field validation failures.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	// CurrentStatus is the deal's status when a transition was refused.
	CurrentStatus string `json:"current_status,omitempty"`
}

// Problem types. Clients switch on these, so they never change.
const (
	ProblemValidation      = "urn:dealflow:problem:validation"
	ProblemMalformed       = "urn:dealflow:problem:malformed-request"
	ProblemUnauthenticated = "urn:dealflow:problem:unauthenticated"
	ProblemForbidden       = "urn:dealflow:problem:forbidden"
	ProblemNotFound        = "urn:dealflow:problem:not-found"
	ProblemMethod          = "urn:dealflow:problem:method-not-allowed"
	ProblemConflict        = "urn:dealflow:problem:invalid-transition"
	ProblemFourEyes        = "urn:dealflow:problem:four-eyes"
	ProblemLimit           = "urn:dealflow:problem:limit-reached"
	ProblemIdempotency     = "urn:dealflow:problem:idempotency-key-reused"
	ProblemDuplicate       = "urn:dealflow:problem:duplicate"
	ProblemTooLarge        = "urn:dealflow:problem:body-too-large"
	ProblemMediaType       = "urn:dealflow:problem:unsupported-media-type"
	ProblemUnavailable     = "urn:dealflow:problem:unavailable"
	ProblemInternal        = "urn:dealflow:problem:internal"
	ProblemRateLimited     = "urn:dealflow:problem:rate-limited"
)

// WriteProblem sends p, filling the instance and request id from c.
func WriteProblem(c *gin.Context, p Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.Instance = c.Request.URL.Path
	p.RequestID = RequestIDOf(c)
	c.Header("Content-Type", ProblemContentType)
	c.AbortWithStatusJSON(p.Status, p)
}

// Fail answers a problem of type typ with status and detail.
func Fail(c *gin.Context, status int, typ, detail string) {
	WriteProblem(c, Problem{Type: typ, Status: status, Detail: detail})
}

// ValidationProblem answers 422 with the per-field errors.
func ValidationProblem(c *gin.Context, errs []FieldError) {
	WriteProblem(c, Problem{
		Type: ProblemValidation, Status: http.StatusUnprocessableEntity,
		Title: "Request fields are invalid", Detail: "fix the fields listed in errors and retry", Errors: errs,
	})
}

// Unavailable answers 503 for a dependency failure and logs the cause
// (which never reaches the client).
func Unavailable(c *gin.Context, log *slog.Logger, err error) {
	log.Error("request failed", "error", err, "request_id", RequestIDOf(c))
	if ctxErr := c.Request.Context().Err(); ctxErr != nil {
		Fail(c, http.StatusServiceUnavailable, ProblemUnavailable, "the request was cancelled or timed out")
		return
	}
	Fail(c, http.StatusServiceUnavailable, ProblemUnavailable, "a backing service is unavailable; retry later")
}
