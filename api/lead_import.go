package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"io"
	"mime"
	"net/http"

	"github.com/dealflow/dealflow/workflows/lead"
	"github.com/gin-gonic/gin"
	"golang.org/x/sync/errgroup"
)

// importStartLimit is how many of a file's leads start at once: a file of
// a hundred leads started one after another could outlast the request
// timeout under load.
const importStartLimit = 8

// importLeads takes a CSV of leads (text/csv, a header row naming the
// columns): every row is validated first, and any bad row refuses the
// whole file (422, each error named "line N: field"), so nothing is half
// imported. A good file starts its leads' workflows, importStartLimit at a
// time; the answer lists them in the file's order. Lead ids derive from
// the file's content and line, so sending the file again (after a failure
// half-way through starting them) starts only the missing ones. It answers
// with the leads created.
func (s *Server) importLeads(c *gin.Context) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "text/csv" {
		web.Fail(c, http.StatusUnsupportedMediaType, web.ProblemMediaType, "send the leads as text/csv")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, importBodyLimit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		web.Fail(c, http.StatusRequestEntityTooLarge, web.ProblemTooLarge, fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit))
		return
	} else if err != nil {
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "could not read the request body")
		return
	}
	programID := c.Query("program_id")
	if !s.programExists(c, programID, "program_id") {
		return
	}
	inputs, errs := steps.ParseLeadCSV(s.validate, string(body), programID)
	if len(errs) > 0 {
		web.WriteProblem(c, web.Problem{Type: web.ProblemValidation, Status: http.StatusUnprocessableEntity, Title: "Rows are invalid",
			Detail: fmt.Sprintf("%d error(s); nothing was imported", len(errs)), Errors: errs})
		return
	}
	sum := sha256.Sum256(body)
	actor := web.PrincipalOf(c).Actor()
	ids := make([]string, len(inputs))
	g, ctx := errgroup.WithContext(c.Request.Context())
	g.SetLimit(importStartLimit)
	for i, in := range inputs {
		in.LeadID = steps.ImportedLeadID(sum, i)
		in.Creator = actor
		ids[i] = in.LeadID
		g.Go(func() error {
			if _, err := s.leads.Create(ctx, in); err != nil && !errors.Is(err, lead.ErrCompleted) {
				return err
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		s.leadRefused(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"imported": len(ids), "lead_ids": ids})
}
