package workflows

import (
	"github.com/dealflow/dealflow/domain"
	"go.temporal.io/sdk/workflow"
)

// approvalsByPersonVersion guards four eyes by person: from version 1 a
// deal's approvals and a cycle's approvals and adjusters are compared by
// the person behind each token (domain.Actor.SamePerson), a service user
// never approves, and a cycle paying out at or above its program's
// threshold needs two finance people. Runs started before it (version 0)
// keep comparing users until they end, so their histories replay.
const approvalsByPersonVersion = "approvals-by-person"

// ApprovalsByPerson reports whether this run compares people; it is asked
// once, when the run starts, before any update is handled, so validators
// (which may not ask) and handlers agree.
func ApprovalsByPerson(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, approvalsByPersonVersion, workflow.DefaultVersion, 1) >= 1
}

// SameApprover reports whether b is, for four eyes, the approver a
// already is: the same person when the run compares people, else the same
// user.
func SameApprover(byPerson bool, a, b domain.Actor) bool {
	if byPerson {
		return a.SamePerson(b)
	}
	return a.ID == b.ID
}

// PersonApprover refuses a service user as an approver: an approval
// counts a person, and no person stands behind an integration's token.
func PersonApprover(byPerson bool, a domain.Actor) error {
	if byPerson && a.Service {
		return Refuse(ErrTypeForbidden, "a service token cannot approve: approvals are given by people")
	}
	return nil
}
