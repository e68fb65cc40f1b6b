package registration

import (
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
)

// A registration is screened into review, approved by a channel manager,
// reminded about twice before its protection ends, and expires after 90
// days, releasing the customer.
func TestApprovedThenExpires(t *testing.T) {
	h := newHarness(t, scenario{})
	submitted := h.do(0, deal.UpdateSubmitted, nil)
	approved := h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor, Reason: "fits the plan"})
	final := h.run(testInput())
	mustOK(t, "approve", approved)
	if submitted.state.Status != domain.StatusPendingApproval || submitted.state.RequiredApprovals != 1 {
		t.Fatalf("after intake: %+v", submitted.state)
	}
	h.wantEvents(intake + " approved:approved expiry_reminder:approved expiry_reminder:approved expired:expired")
	if final.Status != domain.StatusExpired {
		t.Fatalf("final = %s", final.Status)
	}
	approvedAt := time.Hour
	if got := h.rec.at(t, "expired", 0); got != approvedAt+90*day {
		t.Fatalf("expired at %v, want %v", got, approvedAt+90*day)
	}
	if got := h.rec.at(t, "expiry_reminder", 0); got != approvedAt+76*day {
		t.Fatalf("first reminder at %v", got)
	}
	if got := h.rec.at(t, "expiry_reminder", 1); got != approvedAt+87*day {
		t.Fatalf("second reminder at %v", got)
	}
	a := h.rec.last("approved")
	if a.Actor != managerActor || a.Reason != "fits the plan" || a.Snapshot.ExpiresAt.IsZero() || a.Snapshot.Approvals != 1 {
		t.Fatalf("approval event = %+v snapshot %+v", a, a.Snapshot)
	}
	if len(a.Notify) != 1 || a.Notify[0].Audience != "partner:"+partnerID {
		t.Fatalf("approval notifies %+v", a.Notify)
	}
	if s := h.rec.last("expired").Snapshot; s.Status != domain.StatusExpired || s.SLADueAt != (time.Time{}) {
		t.Fatalf("expired snapshot = %+v", s)
	}
}

// Nobody reviews: managers are reminded at half the SLA, the deal is
// escalated at the SLA (escalation contact notified, inbox flag set), and a
// late approval still works.
func TestSLAReminderAndEscalation(t *testing.T) {
	p := domain.DefaultPolicy()
	p.SLA.EscalationContact = "escalations@vendor.example"
	h := newHarness(t, scenario{policy: p})
	approved := h.do(60*time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	h.run(testInput())
	mustOK(t, "approve", approved)
	if !strings.HasPrefix(h.rec.types(), intake+" sla_reminder:pending_approval escalated:pending_approval approved:approved") {
		t.Fatalf("events = %s", h.rec.types())
	}
	if got := h.rec.at(t, "sla_reminder", 0); got != 24*time.Hour {
		t.Fatalf("reminder at %v", got)
	}
	if got := h.rec.at(t, "escalated", 0); got != 48*time.Hour {
		t.Fatalf("escalation at %v", got)
	}
	esc := h.rec.last("escalated")
	if !esc.Snapshot.Escalated || len(esc.Notify) != 2 || esc.Notify[1].Audience != "email:escalations@vendor.example" {
		t.Fatalf("escalation = %+v, notify %+v", esc.Snapshot, esc.Notify)
	}
	review := h.rec.last("review_requested")
	if due := review.Snapshot.SLADueAt.Sub(h.rec.start); due != 48*time.Hour {
		t.Fatalf("SLA due at %v after start", due)
	}
}

// With an auto-action, a review that waits past it is decided by dealflow,
// recorded as the system's decision with the rule that fired.
func TestSLAAutoActions(t *testing.T) {
	for _, action := range []string{"approve", "reject"} {
		t.Run(action, func(t *testing.T) {
			p := domain.DefaultPolicy()
			p.SLA.AutoAction = domain.AutoAction{After: domain.Duration(72 * time.Hour), Action: action}
			h := newHarness(t, scenario{policy: p})
			h.run(testInput())
			typ, to, rule := "auto_approved", domain.StatusApproved, domain.RuleSLAAutoApprove
			if action == "reject" {
				typ, to, rule = "auto_rejected", domain.StatusRejected, domain.RuleSLAAutoReject
			}
			e := h.rec.last(typ)
			if e.To != to || e.Actor != domain.SystemActor || !strings.Contains(string(e.Payload), rule) {
				t.Fatalf("auto event = %+v payload %s", e, e.Payload)
			}
			if got := h.rec.at(t, typ, 0); got != 72*time.Hour {
				t.Fatalf("%s at %v", typ, got)
			}
		})
	}
}

// The SLA clock pauses while the partner is asked for information: asked
// at 10h, answered at 100h, so the reminder (24h of review) comes at 114h
// and the escalation (48h of review) at 138h.
func TestSLAPausedDuringInfoRequest(t *testing.T) {
	h := newHarness(t, scenario{})
	asked := h.do(10*time.Hour, deal.UpdateRequestInfo, deal.InfoRequest{Actor: managerActor, Question: "Which data centre?"})
	amount := int64(900000)
	answered := h.do(100*time.Hour, deal.UpdateAnswerInfo, deal.InfoAnswer{Actor: partnerActor, Answer: "Frankfurt",
		Changes: &deal.RegistrationChanges{Amount: &amount, ProductLines: []string{"firewall", "vpn"}}})
	rejected := h.do(200*time.Hour, deal.UpdateReject, deal.Decision{Actor: managerActor, Reason: "budget cut"})
	h.run(testInput())
	mustOK(t, "ask", asked)
	mustOK(t, "answer", answered)
	mustOK(t, "reject", rejected)
	h.wantEvents(intake + " info_requested:info_requested info_answered:pending_approval sla_reminder:pending_approval escalated:pending_approval rejected:rejected")
	if got := h.rec.at(t, "sla_reminder", 0); got != 114*time.Hour {
		t.Fatalf("reminder at %v, want 114h", got)
	}
	if got := h.rec.at(t, "escalated", 0); got != 138*time.Hour {
		t.Fatalf("escalation at %v, want 138h", got)
	}
	q := h.rec.last("info_requested")
	if q.Snapshot.InfoQuestion != "Which data centre?" || !q.Snapshot.SLADueAt.IsZero() || q.Notify[0].Audience != "partner:"+partnerID {
		t.Fatalf("info request = %+v", q.Snapshot)
	}
	a := h.rec.last("info_answered")
	if a.Snapshot.Registration.Amount != 900000 || len(a.Snapshot.Registration.ProductLines) != 2 || a.Snapshot.InfoQuestion != "" {
		t.Fatalf("answer did not apply the edits: %+v", a.Snapshot.Registration)
	}
	if due := a.Snapshot.SLADueAt.Sub(h.rec.start); due != 138*time.Hour {
		t.Fatalf("SLA due after the answer at %v, want 138h", due)
	}
}

// Above the program's threshold two different channel managers must
// approve; the same one twice is refused (four eyes).
func TestFourEyes(t *testing.T) {
	h := newHarness(t, scenario{})
	in := testInput()
	in.Registration.Amount = 250_000_00
	first := h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	again := h.do(2*time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	second := h.do(3*time.Hour, deal.UpdateApprove, deal.Decision{Actor: manager2})
	h.run(in)
	mustOK(t, "first", first)
	mustRefuse(t, "same manager again", again, workflows.ErrTypeFourEyes)
	mustOK(t, "second", second)
	if first.state.Status != domain.StatusPendingApproval || len(first.state.Approvals) != 1 || first.state.RequiredApprovals != 2 {
		t.Fatalf("after the first approval: %+v", first.state)
	}
	if !strings.HasPrefix(h.rec.types(), intake+" approval_recorded:pending_approval approved:approved") {
		t.Fatalf("events = %s", h.rec.types())
	}
	if n := h.rec.last("approval_recorded").Notify; len(n) != 1 || n[0].Kind != "second_approval_needed" {
		t.Fatalf("level-1 notification = %+v", n)
	}
}

// A granted extension moves the expiry out by the program's days and the
// reminders start over; a second request is refused by the limit.
func TestExtensionGranted(t *testing.T) {
	h := newHarness(t, scenario{})
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	req := h.do(80*day, deal.UpdateRequestExtension, deal.Decision{Actor: partnerActor, Reason: "customer board meets in March"})
	dup := h.do(80*day+time.Minute, deal.UpdateRequestExtension, deal.Decision{Actor: partnerActor, Reason: "again"})
	grant := h.do(81*day, deal.UpdateDecideExtension, deal.ExtensionDecision{Actor: managerActor, Grant: true, Reason: "ok"})
	more := h.do(82*day, deal.UpdateRequestExtension, deal.Decision{Actor: partnerActor, Reason: "one more"})
	h.run(testInput())
	mustOK(t, "request", req)
	mustRefuse(t, "second pending request", dup, workflows.ErrTypeInvalidTransition)
	mustOK(t, "grant", grant)
	mustRefuse(t, "beyond the limit", more, workflows.ErrTypeLimitReached)
	if got := h.rec.at(t, "expired", 0); got != time.Hour+120*day {
		t.Fatalf("expired at %v, want 120 days after approval", got)
	}
	// 14-day reminder before the first expiry, then both again for the new one.
	h.wantEvents(intake + " approved:approved expiry_reminder:approved extension_requested:approved extension_granted:approved" +
		" expiry_reminder:approved expiry_reminder:approved expired:expired")
	if g := h.rec.last("extension_granted"); g.Snapshot.ExtensionsUsed != 1 || g.Snapshot.ExtensionRequested {
		t.Fatalf("granted snapshot = %+v", g.Snapshot)
	}
}

// A denied extension leaves the expiry where it was.
func TestExtensionDenied(t *testing.T) {
	h := newHarness(t, scenario{})
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	h.do(80*day, deal.UpdateRequestExtension, deal.Decision{Actor: partnerActor, Reason: "slipping"})
	noReason := h.do(80*day+time.Hour, deal.UpdateDecideExtension, deal.ExtensionDecision{Actor: managerActor, Grant: false})
	deny := h.do(81*day, deal.UpdateDecideExtension, deal.ExtensionDecision{Actor: managerActor, Grant: false, Reason: "no activity logged"})
	h.run(testInput())
	mustRefuse(t, "denial without a reason", noReason, workflows.ErrTypeInvalidArgument)
	mustOK(t, "deny", deny)
	if got := h.rec.at(t, "expired", 0); got != time.Hour+90*day {
		t.Fatalf("expired at %v", got)
	}
}

// An extension request nobody decides does not hold protection open: the
// deal expires on time and the event says the request went unanswered.
func TestExpiryWithUnansweredExtension(t *testing.T) {
	h := newHarness(t, scenario{})
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	h.do(89*day, deal.UpdateRequestExtension, deal.Decision{Actor: partnerActor, Reason: "late ask"})
	h.run(testInput())
	e := h.rec.last("expired")
	if !strings.Contains(string(e.Payload), domain.RuleExpiredUnanswer) || e.Snapshot.ExtensionRequested {
		t.Fatalf("expired = %s %+v", e.Payload, e.Snapshot)
	}
}

// Screening rules: a reserved direct account is rejected, a partner type
// that may not register the kind is rejected, a qualifying partner is
// approved, each recorded as the system's decision with its rule.
func TestScreeningRules(t *testing.T) {
	reserved := domain.DefaultPolicy()
	reserved.AutoReject.ReservedDomains = []string{"acme.com"}
	auto := domain.DefaultPolicy()
	auto.AutoApprove.Enabled = true
	cases := []struct {
		name  string
		sc    scenario
		input func(*deal.Input)
		typ   string
		to    domain.Status
		rule  string
	}{
		{"reserved domain", scenario{policy: reserved}, nil, "auto_rejected", domain.StatusRejected, domain.RuleReservedDomain},
		{"kind not allowed", scenario{facts: func(f *domain.ScreeningFacts) { f.PartnerType = domain.PartnerReferral }},
			nil, "auto_rejected", domain.StatusRejected, domain.RuleKindNotAllowed},
		{"auto approval", scenario{policy: auto, facts: func(f *domain.ScreeningFacts) { f.Tier = "platinum" }},
			func(in *deal.Input) { in.Registration.Amount = 10_000_00 }, "auto_approved", domain.StatusApproved, domain.RuleAutoApprove},
		{"tier too low", scenario{policy: auto}, func(in *deal.Input) { in.Registration.Amount = 10_000_00 },
			"review_requested", domain.StatusPendingApproval, domain.RuleManualReview},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.sc)
			in := testInput()
			if c.input != nil {
				c.input(&in)
			}
			sub := h.do(0, deal.UpdateSubmitted, nil)
			h.do(time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: partnerActor, Reason: "test over"})
			h.run(in)
			e := h.rec.last(c.typ)
			if e.To != c.to || e.Actor != domain.SystemActor || !strings.Contains(string(e.Payload), c.rule) {
				t.Fatalf("%s event = %+v payload %s", c.typ, e, e.Payload)
			}
			if sub.state.Status != c.to {
				t.Fatalf("submitter saw %s, want %s", sub.state.Status, c.to)
			}
		})
	}
}

// A conflict sends the deal to conflict review: it cannot be approved until
// a manager resolves it, and a resolution can send it on or reject it.
func TestConflictReview(t *testing.T) {
	conflict := func(f *domain.ScreeningFacts) {
		f.Conflicts = []domain.Conflict{{DealID: "x", PartnerID: otherOrg, Status: domain.StatusApproved, Reason: "same registrable domain acme.com"}}
	}
	t.Run("proceed", func(t *testing.T) {
		h := newHarness(t, scenario{facts: conflict})
		early := h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
		resolved := h.do(2*time.Hour, deal.UpdateResolveConflict, deal.ConflictResolution{Actor: managerActor, Outcome: deal.ConflictProceed, Reason: "different division"})
		approved := h.do(3*time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
		h.run(testInput())
		mustRefuse(t, "approve in conflict review", early, workflows.ErrTypeInvalidTransition)
		mustOK(t, "resolve", resolved)
		mustOK(t, "approve", approved)
		if !strings.HasPrefix(h.rec.types(), "submitted:submitted screening_started:screening conflict_detected:conflict_review conflict_cleared:pending_approval approved:approved") {
			t.Fatalf("events = %s", h.rec.types())
		}
	})
	t.Run("reject", func(t *testing.T) {
		h := newHarness(t, scenario{facts: conflict})
		bad := h.do(time.Hour, deal.UpdateResolveConflict, deal.ConflictResolution{Actor: managerActor, Outcome: "maybe", Reason: "?"})
		rej := h.do(2*time.Hour, deal.UpdateResolveConflict, deal.ConflictResolution{Actor: managerActor, Outcome: deal.ConflictReject, Reason: "duplicate of an approved registration"})
		h.run(testInput())
		mustRefuse(t, "unknown outcome", bad, workflows.ErrTypeInvalidArgument)
		mustOK(t, "reject", rej)
		h.wantEvents("submitted:submitted screening_started:screening conflict_detected:conflict_review conflict_rejected:rejected")
	})
}

// The partner closes a protected deal won; the win can be corrected as a
// new event (never an edit) until the correction window closes, when the
// workflow ends.
func TestClosedWonAndCorrections(t *testing.T) {
	h := newHarness(t, scenario{})
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	notOwner := h.do(10*day, deal.UpdateCloseWon, deal.CloseWon{Actor: otherPartner, Amount: 1, Currency: "USD", CloseDate: "2027-01-10"})
	won := h.do(10*day+time.Hour, deal.UpdateCloseWon, deal.CloseWon{Actor: partnerActor, Amount: 1300000, Currency: "USD",
		ProductLines: []string{"firewall"}, CloseDate: "2026-11-12"})
	lost := h.do(11*day, deal.UpdateCloseLost, deal.CloseLost{Actor: partnerActor, Reason: "too late"})
	corr := h.do(40*day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: financeActor, Amount: 1200000, Reason: "credit note 123"})
	rev := h.do(50*day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: partnerActor, Amount: 0, Reason: "customer refunded"})
	late := h.do(400*day, deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: financeActor, Amount: 5, Reason: "too late"})
	final := h.run(testInput())
	mustRefuse(t, "another partner closes", notOwner, workflows.ErrTypeForbidden)
	mustOK(t, "won", won)
	mustRefuse(t, "lost after won", lost, workflows.ErrTypeInvalidTransition)
	mustOK(t, "correction", corr)
	mustOK(t, "reversal", rev)
	if late.done {
		t.Fatalf("an update after the workflow ended was answered: %+v", late)
	}
	h.wantEvents(intake + " approved:approved closed_won:closed_won outcome_corrected:closed_won outcome_reversed:closed_won")
	if o := h.rec.last("closed_won").Snapshot.Outcome; o == nil || !o.Won || o.Amount != 1300000 {
		t.Fatalf("won outcome = %+v", o)
	}
	if o := final.Outcome; o.Amount != 0 || !final.CorrectionsClosed {
		t.Fatalf("final = %+v", final)
	}
	if p := string(h.rec.last("outcome_corrected").Payload); !strings.Contains(p, `"previous_amount":1300000`) {
		t.Fatalf("correction payload = %s", p)
	}
}

// A lost deal ends the workflow at once; a withdrawal ends it from review.
func TestClosedLostAndWithdrawn(t *testing.T) {
	h := newHarness(t, scenario{})
	h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: managerActor})
	h.do(5*day, deal.UpdateCloseLost, deal.CloseLost{Actor: partnerActor, Reason: "went with a competitor", CloseDate: "2026-11-07"})
	if f := h.run(testInput()); f.Status != domain.StatusClosedLost || f.Outcome.Reason != "went with a competitor" {
		t.Fatalf("final = %+v", f)
	}
	h2 := newHarness(t, scenario{})
	other := h2.do(time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: otherPartner})
	mine := h2.do(2*time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: partnerActor, Reason: "customer paused"})
	h2.run(testInput())
	mustRefuse(t, "another org withdraws", other, workflows.ErrTypeForbidden)
	mustOK(t, "withdraw", mine)
	h2.wantEvents(intake + " withdrawn:withdrawn")
}

// Steps refused by their validators record nothing: wrong role, wrong
// organization, missing or overlong text, wrong status.
func TestStepValidators(t *testing.T) {
	long := strings.Repeat("x", workflows.MaxReasonLength+1)
	cases := []struct {
		name   string
		update string
		arg    any
		typ    string
	}{
		{"partner approves", deal.UpdateApprove, deal.Decision{Actor: partnerActor}, workflows.ErrTypeForbidden},
		{"system approves", deal.UpdateApprove, deal.Decision{Actor: domain.SystemActor}, workflows.ErrTypeForbidden},
		{"finance rejects", deal.UpdateReject, deal.Decision{Actor: financeActor, Reason: "x"}, workflows.ErrTypeForbidden},
		{"reject without reason", deal.UpdateReject, deal.Decision{Actor: managerActor}, workflows.ErrTypeInvalidArgument},
		{"reason too long", deal.UpdateApprove, deal.Decision{Actor: managerActor, Reason: long}, workflows.ErrTypeInvalidArgument},
		{"partner asks info", deal.UpdateRequestInfo, deal.InfoRequest{Actor: partnerActor, Question: "?"}, workflows.ErrTypeForbidden},
		{"answer without question", deal.UpdateAnswerInfo, deal.InfoAnswer{Actor: partnerActor, Answer: "a"}, workflows.ErrTypeInvalidTransition},
		{"other org answers", deal.UpdateAnswerInfo, deal.InfoAnswer{Actor: otherPartner, Answer: "a"}, workflows.ErrTypeForbidden},
		{"extension before approval", deal.UpdateRequestExtension, deal.Decision{Actor: partnerActor, Reason: "r"}, workflows.ErrTypeInvalidTransition},
		{"close won in review", deal.UpdateCloseWon, deal.CloseWon{Actor: partnerActor, Amount: 1, Currency: "USD", CloseDate: "2027-01-01"}, workflows.ErrTypeInvalidTransition},
		{"correct before win", deal.UpdateCorrectOutcome, deal.OutcomeCorrection{Actor: financeActor, Reason: "r"}, workflows.ErrTypeInvalidTransition},
		{"resolve without conflict", deal.UpdateResolveConflict, deal.ConflictResolution{Actor: managerActor, Outcome: deal.ConflictProceed, Reason: "r"}, workflows.ErrTypeInvalidTransition},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, scenario{})
			out := h.do(time.Minute, c.update, c.arg)
			h.do(time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: partnerActor})
			h.run(testInput())
			mustRefuse(t, c.name, out, c.typ)
			h.wantEvents(intake + " withdrawn:withdrawn")
		})
	}
}
