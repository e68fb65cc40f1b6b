package registration

import (
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
)

// Actors of people: Morgan holds a channel manager's token and an admin's
// (two users, one person); Mia is someone else; a CRM integration's
// service user holds a channel manager's token.
var (
	morganAsManager = domain.Actor{ID: "22222222-2222-2222-2222-222222222222", Name: "Morgan Manager", Role: domain.RoleChannelManager,
		PersonID: "9e000000-0000-4000-8000-00000000000a"}
	morganAsAdmin = domain.Actor{ID: "88888888-8888-8888-8888-888888888888", Name: "Morgan Manager", Role: domain.RoleAdmin,
		PersonID: "9e000000-0000-4000-8000-00000000000a"}
	miaAsManager = domain.Actor{ID: "55555555-5555-5555-5555-555555555555", Name: "Mia Manager", Role: domain.RoleChannelManager,
		PersonID: "9e000000-0000-4000-8000-00000000000b"}
	crmService = domain.Actor{ID: "99999999-9999-9999-9999-999999999999", Name: "crm", Role: domain.RoleChannelManager, Service: true}
)

// One person holding a channel manager's token and an admin's counts once:
// the second approval of a deal needing two must come from another person
// (four eyes by person, not by token).
func TestFourEyesByPerson(t *testing.T) {
	h := newHarness(t, scenario{})
	in := testInput()
	in.Registration.Amount = 250_000_00
	first := h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: morganAsManager})
	sameAsAdmin := h.do(2*time.Hour, deal.UpdateApprove, deal.Decision{Actor: morganAsAdmin, Reason: "my other hat"})
	second := h.do(3*time.Hour, deal.UpdateApprove, deal.Decision{Actor: miaAsManager})
	final := h.run(in)
	mustOK(t, "first", first)
	mustRefuse(t, "same person, admin token", sameAsAdmin, workflows.ErrTypeFourEyes)
	if sameAsAdmin.rejected == nil {
		t.Errorf("the same person's second approval reached the handler; want it refused by the validator")
	}
	mustOK(t, "another person", second)
	if len(final.Approvals) != 2 || final.Approvals[0].Actor.PersonID != morganAsManager.PersonID ||
		final.Approvals[1].Actor.PersonID != miaAsManager.PersonID {
		t.Fatalf("approvals %+v", final.Approvals)
	}
	if e := h.rec.last("approved"); e.Actor.PersonID != miaAsManager.PersonID {
		t.Fatalf("approved event's actor %+v, want Mia's person", e.Actor)
	}
}

// A service user (an integration) never counts as an approver.
func TestServiceUserCannotApprove(t *testing.T) {
	h := newHarness(t, scenario{})
	byService := h.do(time.Hour, deal.UpdateApprove, deal.Decision{Actor: crmService})
	byPerson := h.do(2*time.Hour, deal.UpdateApprove, deal.Decision{Actor: miaAsManager})
	h.run(testInput())
	mustRefuse(t, "service user", byService, workflows.ErrTypeForbidden)
	mustOK(t, "person", byPerson)
}
