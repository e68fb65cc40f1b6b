package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/workflows"
	"github.com/gin-gonic/gin"
)

// A refusal is answered the same whichever context refused it (issue 13:
// a deal's and a cycle's steps had two mappings, which answered
// InvalidArgument differently), and a refusal naming a field lists it.
func TestOneAnswerPerRefusal(t *testing.T) {
	s := NewServer(config.Config{}, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	answer := func(err error, tg target) (int, map[string]any) {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodPost, "/v1/x", nil)
		s.refused(c, err, tg)
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v", w.Body, err)
		}
		return w.Code, body
	}
	for _, c := range []struct {
		refusal *workflows.Refusal
		status  int
	}{
		{&workflows.Refusal{Kind: workflows.ErrTypeInvalidArgument, Message: "amount out of range"}, 422},
		{&workflows.Refusal{Kind: workflows.ErrTypeForbidden, Message: "only finance acts on incentive cycles"}, 403},
		{&workflows.Refusal{Kind: workflows.ErrTypeInvalidTransition, Message: "the cycle is paying, not in review"}, 409},
		{&workflows.Refusal{Kind: workflows.ErrTypeFourEyes, Message: "you approved this already"}, 409},
		{&workflows.Refusal{Kind: workflows.ErrTypeNotFound, Message: "no line x in this cycle"}, 404},
	} {
		dealStatus, deal := answer(c.refusal, target{noun: "deal"})
		cycleStatus, cycle := answer(c.refusal, target{noun: "cycle"})
		if dealStatus != c.status || cycleStatus != c.status || !reflect.DeepEqual(deal, cycle) {
			t.Errorf("%s: a deal's step is answered %d %v, a cycle's %d %v", c.refusal.Kind, dealStatus, deal, cycleStatus, cycle)
		}
		if deal["detail"] != c.refusal.Message {
			t.Errorf("%s: detail %v, want the workflow's message", c.refusal.Kind, deal["detail"])
		}
	}
	field := &workflows.Refusal{Kind: workflows.ErrTypeInvalidArgument, Message: "close_date: before the registration was submitted",
		Field: &workflows.FieldRefusal{Field: "close_date", Message: "before the registration was submitted"}}
	_, body := answer(field, target{noun: "deal"})
	if errs, _ := body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "close_date" {
		t.Errorf("field refusal answered %v", body)
	}
	if status, _ := answer(errors.New("temporal unreachable"), target{noun: "deal"}); status != http.StatusServiceUnavailable {
		t.Errorf("a failure that is no refusal: %d, want 503", status)
	}
}
