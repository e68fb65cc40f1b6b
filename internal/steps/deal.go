package steps

import (
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows/deal"
)

// DealStep is one human step on a deal: POST /v1/deals/{id}/{Path} in the
// API and /console/deals/{id}/{Path} in the console, both sending the
// workflow Update named Update with the argument NewBody's body makes.
type DealStep struct {
	Path, Update string
	// Roles may take the step (the route's authorization); the workflow
	// checks the actor again (owner, manager, four eyes).
	Roles   []domain.Role
	NewBody func() Body
	// Optional: the step may be sent without a body.
	Optional bool
	// Offered says whether the console offers the step to p on deal d now;
	// the workflow checks again (a stale page gets the refusal as a
	// message).
	Offered func(p web.Principal, d dbq.Deal) bool
	Form    Form
}

// status is deal d's status.
func status(d dbq.Deal) domain.Status { return domain.Status(d.Status) }

// manager: a channel manager or an admin, who decide registrations.
func manager(p web.Principal) bool { return p.HasRole(web.DeciderRoles...) }

// reason is the common optional or required reason field.
func reason(id, label string) Field { return Field{Name: "reason", ID: id, Label: label} }

// Deal is the table of deal steps, in the order the console shows their
// forms.
func Deal() []DealStep {
	return []DealStep{
		{Path: "approve", Update: deal.UpdateApprove, Roles: web.DeciderRoles, NewBody: func() Body { return &reasonBody{} }, Optional: true,
			Offered: func(p web.Principal, d dbq.Deal) bool { return manager(p) && status(d) == domain.StatusPendingApproval },
			Form:    Form{Button: "Approve", ButtonID: "approve", Fields: []Field{reason("approve-reason", "Reason (optional)")}}},
		{Path: "reject", Update: deal.UpdateReject, Roles: web.DeciderRoles, NewBody: func() Body { return &requiredReasonBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool { return manager(p) && status(d) == domain.StatusPendingApproval },
			Form:    Form{Button: "Reject", ButtonClass: "danger", Fields: []Field{reason("reject-reason", "Reason (required)")}}},
		{Path: "request-info", Update: deal.UpdateRequestInfo, Roles: web.DeciderRoles, NewBody: func() Body { return &infoRequestBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool { return manager(p) && status(d) == domain.StatusPendingApproval },
			Form:    Form{Button: "Request information", Fields: []Field{{Name: "question", ID: "question", Label: "Ask the partner"}}}},
		{Path: "resolve-conflict", Update: deal.UpdateResolveConflict, Roles: web.DeciderRoles, NewBody: func() Body { return &resolveConflictBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool { return manager(p) && status(d) == domain.StatusConflictReview },
			Form: Form{Button: "Resolve", Fields: []Field{
				{Name: "outcome", ID: "outcome", Label: "Resolve the conflict", Options: []Option{{"award", "Award to this registration"},
					{"not_conflict", "Not a conflict"}, {"duplicate", "Reject as duplicate"}, {"direct_sales", "Hand to direct sales"}}},
				reason("resolve-reason", "Reason (required)")}}},
		{Path: "decide-extension", Update: deal.UpdateDecideExtension, Roles: web.DeciderRoles, NewBody: func() Body { return &extensionDecisionBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool {
				return manager(p) && status(d) == domain.StatusApproved && d.ExtensionRequested
			},
			Form: Form{Button: "Decide", Fields: []Field{
				{Name: "grant", Label: "Extension requested", Options: []Option{{"yes", "Grant"}, {"no", "Deny"}}},
				reason("ext-reason", "Reason (required to deny)")}}},
		{Path: "answer-info", Update: deal.UpdateAnswerInfo, Roles: web.PartnerRoles, NewBody: func() Body { return &infoAnswerBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool {
				return p.Owns(d.PartnerID) && status(d) == domain.StatusInfoRequested
			},
			Form: Form{Button: "Answer", Intro: func(d read.DealView) string { return "Question: " + d.InfoQuestion },
				Fields: []Field{{Name: "answer", ID: "answer", Label: "Your answer", Textarea: true}}}},
		{Path: "request-extension", Update: deal.UpdateRequestExtension, Roles: web.PartnerRoles, NewBody: func() Body { return &requiredReasonBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool {
				return p.Owns(d.PartnerID) && status(d) == domain.StatusApproved && !d.ExtensionRequested
			},
			Form: Form{Button: "Request an extension", Fields: []Field{reason("extend-reason", "Why more time?")}}},
		{Path: "close-won", Update: deal.UpdateCloseWon, Roles: web.PartnerRoles, NewBody: func() Body { return &closeWonBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool {
				return p.Owns(d.PartnerID) && status(d) == domain.StatusApproved
			},
			Form: Form{Button: "Report won", Legend: "Closed won", Fields: []Field{
				{Name: "amount", ID: "won-amount", Label: "Final amount"},
				{Name: "currency", ID: "won-currency", Label: "Currency", Value: func(d read.DealView, _ string) string { return d.Currency }},
				{Name: "product_lines", ID: "won-lines", Label: "Product lines",
					Value: func(d read.DealView, _ string) string { return strings.Join(d.ProductLines, ", ") }},
				{Name: "units", ID: "won-units", Label: "Units (optional)"},
				{Name: "close_date", ID: "won-date", Label: "Close date", Value: func(_ read.DealView, today string) string { return today }}}}},
		{Path: "close-lost", Update: deal.UpdateCloseLost, Roles: web.PartnerRoles, NewBody: func() Body { return &closeLostBody{} }, Optional: true,
			Offered: func(p web.Principal, d dbq.Deal) bool {
				return p.Owns(d.PartnerID) && status(d) == domain.StatusApproved
			},
			Form: Form{Button: "Report lost", ButtonClass: "danger", Fields: []Field{reason("lost-reason", "Why lost (optional)")}}},
		{Path: "correct-outcome", Update: deal.UpdateCorrectOutcome, Roles: web.CorrectorRoles, NewBody: func() Body { return &correctionBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool {
				return status(d) == domain.StatusClosedWon && !d.CorrectionPendingAmount.Valid &&
					(p.Owns(d.PartnerID) || p.HasRole(domain.RoleFinance, domain.RoleAdmin))
			},
			Form: Form{Button: "Correct", Fields: []Field{
				{Name: "amount", ID: "corr-amount", Label: "Corrected amount (0 reverses the win)"},
				reason("corr-reason", "Reason")}}},
		{Path: "decide-correction", Update: deal.UpdateDecideCorrection, Roles: web.CorrectionReviewerRoles,
			NewBody: func() Body { return &correctionDecisionBody{} },
			Offered: func(p web.Principal, d dbq.Deal) bool {
				return status(d) == domain.StatusClosedWon && d.CorrectionPendingAmount.Valid && (manager(p) || p.HasRole(domain.RoleFinance))
			},
			Form: Form{Button: "Decide", Intro: func(d read.DealView) string {
				if d.PendingCorrectionAmount == nil {
					return ""
				}
				return "The partner asks to raise its won amount to " + domain.FormatMinor(*d.PendingCorrectionAmount, d.Currency) + " " + d.Currency
			}, Fields: []Field{
				{Name: "approve", Label: "Decision", Options: []Option{{"yes", "Approve"}, {"no", "Deny"}}},
				reason("corr-decision-reason", "Reason (required to deny)")}}},
		{Path: "withdraw", Update: deal.UpdateWithdraw, Roles: web.PartnerRoles, NewBody: func() Body { return &reasonBody{} }, Optional: true,
			Offered: func(p web.Principal, d dbq.Deal) bool {
				st := status(d)
				return p.Owns(d.PartnerID) && (st == domain.StatusInfoRequested || st == domain.StatusApproved || st.CanMoveTo(domain.StatusWithdrawn))
			},
			Form: Form{Button: "Withdraw", ButtonClass: "danger"}},
	}
}
