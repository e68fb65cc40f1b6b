package registration

import (
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows"
	"github.com/dealflow/dealflow/workflows/deal"
)

// A lead a partner accepted becomes a vendor-sourced registration: approved
// at intake (no kind rule, no conflict), and dealflow itself may withdraw it
// when the lead is pulled back for want of a first contact.
func TestVendorSourcedApprovedThenWithdrawnBySystem(t *testing.T) {
	h := newHarness(t, scenario{})
	submitted := h.do(0, deal.UpdateSubmitted, nil)
	withdrawn := h.do(5*day, deal.UpdateWithdraw, deal.Decision{Actor: domain.SystemActor, Reason: "lead pulled back"})
	in := testInput()
	in.Registration.Kind = domain.KindVendorSourced
	final := h.run(in)
	mustOK(t, "withdraw", withdrawn)
	if submitted.state.Status != domain.StatusApproved {
		t.Fatalf("after intake: %s", submitted.state.Status)
	}
	h.wantEvents("submitted:submitted screening_started:screening auto_approved:approved withdrawn:withdrawn")
	if final.Status != domain.StatusWithdrawn || h.rec.last("withdrawn").Actor != domain.SystemActor {
		t.Fatalf("final %s by %+v", final.Status, h.rec.last("withdrawn").Actor)
	}
}

// dealflow withdraws no registration a partner submitted itself.
func TestSystemCannotWithdrawAPartnersOwnRegistration(t *testing.T) {
	h := newHarness(t, scenario{})
	withdrawn := h.do(time.Hour, deal.UpdateWithdraw, deal.Decision{Actor: domain.SystemActor})
	rejected := h.do(2*time.Hour, deal.UpdateReject, deal.Decision{Actor: managerActor, Reason: "ends the run"})
	h.run(testInput())
	mustRefuse(t, "system withdraw", withdrawn, workflows.ErrTypeForbidden)
	mustOK(t, "reject", rejected)
}
