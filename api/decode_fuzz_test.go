package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dealflow/dealflow/internal/config"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

// requestTypes are the bodies of every JSON request the API decodes; a new
// request type belongs here (the step tables' bodies, steps.Deal and
// steps.Cycle, are read from them).
func requestTypes() map[string]func() any {
	out := map[string]func() any{
		"createDeal":              func() any { return &steps.CreateDealRequest{} },
		"conflictCheck":           func() any { return &conflictCheckRequest{} },
		"program":                 func() any { return &programRequest{} },
		"incentiveProgram":        func() any { return &steps.IncentiveProgramRequest{} },
		"programVersion":          func() any { return &steps.ProgramVersionRequest{} },
		"startCycle":              func() any { return &startCycleRequest{} },
		"inviteUser":              func() any { return &inviteRequest{} },
		"userRole":                func() any { return &roleRequest{} },
		"partnerUpdate":           func() any { return &partnerUpdateRequest{} },
		"notificationPreferences": func() any { return &notificationPreferences{} },
	}
	for _, st := range steps.Deal() {
		out["step:"+st.Path] = func() any { return st.NewBody() }
	}
	for _, st := range steps.Cycle() {
		out["cycle:"+st.Path] = func() any { return st.NewBody() }
	}
	for name, newBody := range map[string]func() any{
		"createQuote":     func() any { return &createQuoteRequest{} },
		"quoteProduct":    func() any { return &quoteProductBody{} },
		"quotePrice":      func() any { return &quotePriceBody{} },
		"quoteSchedule":   func() any { return &quoteScheduleBody{} },
		"coSellRequest":   func() any { return &coSellRequest{} },
		"territory":       func() any { return &territoryRequest{} },
		"createLead":      func() any { return &steps.CreateLeadRequest{} },
		"leadStep":        func() any { return &leadStepBody{} },
		"leadRouting":     func() any { return &steps.LeadRoutingRequest{} },
		"leadProfile":     func() any { return &steps.LeadProfileRequest{} },
		"referralLanding": func() any { return &referralLandingRequest{} },
		"webhookCreate":   func() any { return &webhookSubscriptionRequest{} },
		"webhookUpdate":   func() any { return &webhookUpdateRequest{} },
		"webhookRotate":   func() any { return &webhookRotateRequest{} },
		"webhookReplay":   func() any { return &webhookReplayRequest{} },
	} {
		out[name] = newBody
	}
	for _, st := range quoteSteps() {
		out["quote:"+st.Path] = func() any { return st.NewBody() }
	}
	for _, st := range coSellSteps() {
		out["cosell:"+st.Path] = func() any { return st.NewBody() }
	}
	return out
}

// FuzzDecodeRequests feeds arbitrary bytes to the decoder and validator of
// every request type: nothing panics, and the answer is a success or a
// 400/413/415/422 problem, never a 5xx.
func FuzzDecodeRequests(f *testing.F) {
	for _, seed := range []string{`{}`, `{"customer":{"name":"Acme","domain":"acme.com","country":"US"}}`, `{"amount":-1}`,
		`{"amount":1e99}`, `{"reason":"` + "\u0000" + `"}`, `[1,2]`, `{"a":1}{"b":2}`, `{"grant":"yes"}`, `{"rules":{"mode":1}}`,
		`{"product_lines":[null]}`, `{"changes":{"contact":{}}}`, `"string"`, `null`, `{"customer":null}`} {
		f.Add([]byte(seed))
	}
	gin.SetMode(gin.TestMode)
	s := &Server{cfg: config.Config{MaxBodyBytes: 1 << 16}, validate: web.NewValidator()}
	types := requestTypes()
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, newBody := range types {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			c.Request.Header.Set("Content-Type", "application/json")
			dst := newBody()
			if s.decodeJSON(c, dst, false) {
				if err := s.validate.Struct(dst); err != nil {
					web.ValidationProblem(c, web.FieldErrors(err))
				}
			}
			if code := w.Code; code >= 500 {
				t.Fatalf("%s: %d for %q", name, code, body)
			}
		}
	})
}
