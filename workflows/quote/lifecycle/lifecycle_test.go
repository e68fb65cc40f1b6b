package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	quoteacts "github.com/dealflow/dealflow/activities/quote"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/quote"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

const (
	partnerID = "aaaaaaaa-0000-4000-8000-000000000001"
	day       = 24 * time.Hour
)

var (
	start        = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	partnerActor = domain.Actor{ID: "u-partner", Name: "Pat", Role: domain.RolePartnerUser, PartnerID: partnerID, PersonID: "p-pat"}
	otherPartner = domain.Actor{ID: "u-other", Name: "Oz", Role: domain.RolePartnerUser, PartnerID: "bbbbbbbb-0000-4000-8000-000000000002", PersonID: "p-oz"}
	manager      = domain.Actor{ID: "u-manager", Name: "Morgan", Role: domain.RoleChannelManager, PersonID: "p-morgan"}
	manager2     = domain.Actor{ID: "u-manager2", Name: "Max", Role: domain.RoleChannelManager, PersonID: "p-max"}
	// morganFinance is Morgan again, with a finance token: the same person.
	morganFinance = domain.Actor{ID: "u-morgan-fin", Name: "Morgan", Role: domain.RoleFinance, PersonID: "p-morgan"}
	finance       = domain.Actor{ID: "u-finance", Name: "Fay", Role: domain.RoleFinance, PersonID: "p-fay"}
	input         = quote.Input{QuoteID: "q-1", DealID: "d-1", DealWorkflowID: "deal/d-1", PartnerID: partnerID, Currency: "USD",
		Creator: partnerActor, Lines: []domain.LineRequest{{SKU: "SEAT", Quantity: 10}}}
)

// quoteDB stands in for PostgreSQL and the deal behind the activities:
// pricing gives each line's additional discount to an approval level by
// the matrix (manager up to 10 %).
type quoteDB struct {
	mu     sync.Mutex
	events []quoteacts.QuoteEvent
	closed []quoteacts.CloseDealInput
	priced []int
	// dealRefuses, when set, is the deal refusing to close.
	dealRefuses error
}

func (d *quoteDB) types() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, e := range d.events {
		out = append(out, fmt.Sprintf("%d:%s", e.Seq, e.Type))
	}
	return strings.Join(out, " ")
}

type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	db  *quoteDB
}

func newHarness(t *testing.T) *harness {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflow(QuoteLifecycle)
	db := &quoteDB{}
	policy := domain.ChannelPricing{Version: 3, ManagerUpToBP: 1000}
	env.OnActivity(acts.PriceQuoteVersion, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in quoteacts.PriceInput) (quoteacts.PriceResult, error) {
			db.mu.Lock()
			defer db.mu.Unlock()
			db.priced = append(db.priced, in.Version)
			var p domain.PricedQuote
			for i, l := range in.Lines {
				if l.SKU == "NOPE" {
					f := workflows.FieldRefusal{Field: fmt.Sprintf("lines[%d].sku", i), Message: "no product \"NOPE\" in the catalog"}
					return quoteacts.PriceResult{}, temporal.NewNonRetryableApplicationError(f.Message, workflows.ErrTypeInvalidArgument, nil, f)
				}
				net := domain.ApplyDiscount(l.Quantity*10000, l.AdditionalBP)
				p.Lines = append(p.Lines, domain.PricedLine{Line: i, SKU: l.SKU, Quantity: l.Quantity, ListAmount: l.Quantity * 10000, Net: net})
				p.ListTotal, p.NetTotal, p.Units = p.ListTotal+l.Quantity*10000, p.NetTotal+net, p.Units+l.Quantity
				p.MaxAdditionalBP = max(p.MaxAdditionalBP, l.AdditionalBP)
			}
			p.Currency, p.ProductLines, p.PolicyVersion = in.Currency, []string{"analytics"}, 3
			p.ApprovalLevel = policy.ApprovalLevel(p.MaxAdditionalBP)
			return quoteacts.PriceResult{Priced: p, Policy: policy}, nil
		})
	env.OnActivity(acts.RecordQuoteEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e quoteacts.QuoteEvent) error {
			db.mu.Lock()
			defer db.mu.Unlock()
			db.events = append(db.events, e)
			return nil
		})
	env.OnActivity(acts.CloseDealWon, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in quoteacts.CloseDealInput) error {
			db.mu.Lock()
			defer db.mu.Unlock()
			if db.dealRefuses != nil {
				return db.dealRefuses
			}
			db.closed = append(db.closed, in)
			return nil
		})
	h := &harness{t: t, env: env, db: db}
	h.do(0, quote.UpdateCreated, nil)
	return h
}

// outcome is what an update came to.
type outcome struct {
	err   error
	state quote.State
	done  bool
}

func (o *outcome) kind() string {
	var app *temporal.ApplicationError
	if errors.As(o.err, &app) {
		return app.Type()
	}
	return ""
}

// do sends update name with arg at virtual time after the start.
func (h *harness) do(after time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	h.env.RegisterDelayedCallback(func() {
		var args []any
		if arg != nil {
			args = []any{arg}
		}
		h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { o.err, o.done = err, true },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				o.err, o.done = err, true
				if s, ok := v.(quote.State); ok {
					o.state = s
				}
			},
		}, args...)
	}, after)
	return o
}

func (h *harness) run(in quote.Input) quote.State {
	h.env.ExecuteWorkflow(QuoteLifecycle, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("the workflow did not complete")
	}
	var st quote.State
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	return st
}

func ok(t *testing.T, name string, o *outcome) {
	t.Helper()
	if !o.done || o.err != nil {
		t.Fatalf("%s: done %v, err %v", name, o.done, o.err)
	}
}

func refused(t *testing.T, name string, o *outcome, kind string) {
	t.Helper()
	if !o.done || o.kind() != kind {
		t.Fatalf("%s: done %v, err %v; want a %s refusal", name, o.done, o.err, kind)
	}
}

// Within the partner's standard discounts a submitted quote is approved at
// once; accepting it closes the deal as won with the quote's net amount,
// product lines and units.
func TestQuoteAutoApprovedAndAccepted(t *testing.T) {
	h := newHarness(t)
	other := h.do(time.Hour, quote.UpdateSubmit, quote.Decision{Actor: otherPartner})
	sub := h.do(2*time.Hour, quote.UpdateSubmit, quote.Decision{Actor: partnerActor})
	badPO := h.do(3*time.Hour, quote.UpdateAccept, quote.Acceptance{Actor: partnerActor, AcceptedOn: "2026-03-02"})
	future := h.do(3*time.Hour, quote.UpdateAccept, quote.Acceptance{Actor: partnerActor, PONumber: "PO-1", AcceptedOn: "2026-03-09"})
	acc := h.do(4*time.Hour, quote.UpdateAccept, quote.Acceptance{Actor: partnerActor, PONumber: "PO-1", AcceptedOn: "2026-03-02"})
	st := h.run(input)
	refused(t, "another partner submits", other, workflows.ErrTypeForbidden)
	ok(t, "submit", sub)
	if sub.state.Status != quote.StatusApproved {
		t.Errorf("after submit: %s", sub.state.Status)
	}
	refused(t, "no PO", badPO, workflows.ErrTypeInvalidArgument)
	refused(t, "accepted in the future", future, workflows.ErrTypeInvalidArgument)
	ok(t, "accept", acc)
	if st.Status != quote.StatusAccepted || st.PONumber != "PO-1" {
		t.Errorf("final state %s %q", st.Status, st.PONumber)
	}
	if got, want := h.db.types(), "1:created 2:submitted 3:approved 4:accepted"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if len(h.db.closed) != 1 {
		t.Fatalf("deal closed %d times", len(h.db.closed))
	}
	won := h.db.closed[0]
	if won.Won.Amount != 100000 || won.Won.Units != 10 || won.Won.CloseDate != "2026-03-02" || won.QuoteID != "q-1" ||
		won.Won.Actor.ID != partnerActor.ID || won.DealWorkflowID != "deal/d-1" {
		t.Errorf("close-won = %+v", won)
	}
	if ev := h.db.events[2]; ev.Actor != domain.SystemActor {
		t.Errorf("auto approval by %+v", ev.Actor)
	}
}

// Beyond the manager's threshold: a channel manager then finance, two
// different people, neither the quote's submitter.
func TestQuoteFinanceApprovalFourEyesByPerson(t *testing.T) {
	h := newHarness(t)
	in := input
	in.Creator = manager2
	in.Lines = []domain.LineRequest{{SKU: "SEAT", Quantity: 10, AdditionalBP: 1500}}
	sub := h.do(time.Hour, quote.UpdateSubmit, quote.Decision{Actor: manager2, Reason: "competitive deal"})
	self := h.do(2*time.Hour, quote.UpdateApprove, quote.Decision{Actor: manager2})
	finFirst := h.do(2*time.Hour, quote.UpdateApprove, quote.Decision{Actor: finance})
	first := h.do(3*time.Hour, quote.UpdateApprove, quote.Decision{Actor: manager})
	samePerson := h.do(4*time.Hour, quote.UpdateApprove, quote.Decision{Actor: morganFinance})
	second := h.do(5*time.Hour, quote.UpdateApprove, quote.Decision{Actor: finance})
	withdraw := h.do(6*time.Hour, quote.UpdateWithdraw, quote.Decision{Actor: partnerActor, Reason: "customer chose otherwise"})
	st := h.run(in)
	ok(t, "submit", sub)
	if sub.state.Status != quote.StatusPendingApproval || sub.state.RequiredApprovals != 2 {
		t.Errorf("after submit: %s, %d approvals", sub.state.Status, sub.state.RequiredApprovals)
	}
	refused(t, "the submitter approves", self, workflows.ErrTypeFourEyes)
	refused(t, "finance before the manager", finFirst, workflows.ErrTypeForbidden)
	ok(t, "manager approves", first)
	refused(t, "the same person as finance", samePerson, workflows.ErrTypeFourEyes)
	ok(t, "finance approves", second)
	if second.state.Status != quote.StatusApproved {
		t.Errorf("after both approvals: %s", second.state.Status)
	}
	ok(t, "withdraw", withdraw)
	if got, want := h.db.types(), "1:created 2:submitted 3:approval_recorded 4:approved 5:withdrawn"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.Status != quote.StatusWithdrawn {
		t.Errorf("final %s", st.Status)
	}
}

// An approval that waits past its SLA is reminded, at twice it escalated;
// a quote never accepted is reminded before expiry and then expires.
func TestQuoteApprovalSLAAndExpiry(t *testing.T) {
	h := newHarness(t)
	in := input
	in.Lines = []domain.LineRequest{{SKU: "SEAT", Quantity: 10, AdditionalBP: 500}}
	h.do(time.Hour, quote.UpdateSubmit, quote.Decision{Actor: partnerActor})
	st := h.run(in)
	if st.Status != quote.StatusExpired || !st.ApprovalReminded || !st.Escalated || !st.ExpiryReminded {
		t.Errorf("final %+v", st)
	}
	if got, want := h.db.types(), "1:created 2:submitted 3:approval_reminder 4:approval_escalated 5:expiry_reminder 6:expired"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	at := map[string]time.Time{}
	for _, e := range h.db.events {
		at[e.Type] = e.OccurredAt
	}
	for typ, want := range map[string]time.Time{
		"approval_reminder": start.Add(time.Hour + day), "approval_escalated": start.Add(time.Hour + 2*day),
		"expiry_reminder": start.Add(25 * day), "expired": start.Add(30 * day),
	} {
		if !at[typ].Equal(want) {
			t.Errorf("%s at %s, want %s", typ, at[typ], want)
		}
	}
}

// A revision of an approved quote prices a new version that supersedes the
// old, clears its approvals and makes the quote a draft: the old version
// can no longer be accepted.
func TestQuoteRevisionSupersedes(t *testing.T) {
	h := newHarness(t)
	in := input
	in.Lines = []domain.LineRequest{{SKU: "SEAT", Quantity: 10, AdditionalBP: 500}}
	h.do(time.Hour, quote.UpdateSubmit, quote.Decision{Actor: partnerActor})
	appr := h.do(2*time.Hour, quote.UpdateApprove, quote.Decision{Actor: manager})
	bad := h.do(3*time.Hour, quote.UpdateRevise, quote.Revision{Actor: partnerActor, Lines: []domain.LineRequest{{SKU: "NOPE", Quantity: 1}}})
	rev := h.do(4*time.Hour, quote.UpdateRevise, quote.Revision{Actor: partnerActor, Lines: []domain.LineRequest{{SKU: "SEAT", Quantity: 20, AdditionalBP: 500}}, Reason: "more seats"})
	acc := h.do(5*time.Hour, quote.UpdateAccept, quote.Acceptance{Actor: partnerActor, PONumber: "PO-1", AcceptedOn: "2026-03-02"})
	h.do(6*time.Hour, quote.UpdateWithdraw, quote.Decision{Actor: partnerActor})
	h.run(in)
	ok(t, "approve", appr)
	refused(t, "a revision the catalog refuses", bad, workflows.ErrTypeInvalidArgument)
	if f, okf := workflows.RefusedField(bad.err); !okf || f.Field != "lines[0].sku" {
		t.Errorf("refused field %+v", f)
	}
	ok(t, "revise", rev)
	if rev.state.Version != 2 || rev.state.Status != quote.StatusDraft || rev.state.Approvals != nil || rev.state.Priced.NetTotal != 190000 {
		t.Errorf("after revision: v%d %s approvals %v net %d", rev.state.Version, rev.state.Status, rev.state.Approvals, rev.state.Priced.NetTotal)
	}
	refused(t, "accept the superseded version", acc, workflows.ErrTypeInvalidTransition)
	if got, want := h.db.types(), "1:created 2:submitted 3:approved 4:revised 5:withdrawn"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if rev := h.db.events[3]; fmt.Sprint(rev.Payload["superseded_version"]) != "1" || rev.Version != 2 {
		t.Errorf("revised event %+v", rev)
	}
	if len(h.db.closed) != 0 {
		t.Errorf("deal closed: %+v", h.db.closed)
	}
}

// A deal that refuses to close refuses the acceptance; nothing changes.
func TestQuoteAcceptRefusedByDeal(t *testing.T) {
	h := newHarness(t)
	h.db.dealRefuses = temporal.NewNonRetryableApplicationError("the deal refused: the deal is expired", workflows.ErrTypeInvalidTransition, nil)
	h.do(time.Hour, quote.UpdateSubmit, quote.Decision{Actor: partnerActor})
	acc := h.do(2*time.Hour, quote.UpdateAccept, quote.Acceptance{Actor: partnerActor, PONumber: "PO-1", AcceptedOn: "2026-03-02"})
	h.do(3*time.Hour, quote.UpdateWithdraw, quote.Decision{Actor: partnerActor})
	h.run(input)
	refused(t, "accept", acc, workflows.ErrTypeInvalidTransition)
	if got, want := h.db.types(), "1:created 2:submitted 3:approved 4:withdrawn"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
}

// Lines the catalog refuses refuse the creation, naming the line; nothing
// is recorded.
func TestQuoteCreationRefused(t *testing.T) {
	h := newHarness(t)
	in := input
	in.Lines = []domain.LineRequest{{SKU: "NOPE", Quantity: 1}}
	h.env.ExecuteWorkflow(QuoteLifecycle, in)
	if err := h.env.GetWorkflowError(); err == nil {
		t.Fatal("the workflow priced unknown lines")
	}
	if h.db.types() != "" {
		t.Errorf("events recorded: %s", h.db.types())
	}
}
