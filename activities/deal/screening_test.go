package deal_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
)

// Screening applies the partner's program over the defaults, and finds only
// other partners' open registrations of the same registrable domain.
func TestScreenFindsOpenConflictsOfOtherPartners(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	a := deal.New(testDB.Pool)
	prog, err := q.ProgramCreate(ctx, dbq.ProgramCreateParams{Name: "Gold fast track " + t.Name(),
		Policy: []byte(`{"auto_approve":{"enabled":true,"min_tier":"gold","max_amount":{"USD":5000000}},"protection":{"days":60}}`)})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Mine", Type: "var", Tier: "gold",
		ProgramID: uuid.NullUUID{UUID: prog.ID, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	rival, rivalUser := fixture(t)
	domainName := "globex-" + uuid.NewString()[:8] + ".com"
	company := "Globex " + uuid.NewString()[:8] + " Corporation"
	at := time.Now().UTC()
	// The rival's open registration and its rejected one.
	open := submission(rival, rivalUser, at)
	open.Registration.Customer = domain.Customer{Name: company, Domain: "www." + domainName, Country: "US"}
	open.Registration.RegistrableDomain = domainName
	rejected := submission(rival, rivalUser, at)
	rejected.Registration.Customer = open.Registration.Customer
	rejected.Registration.RegistrableDomain = domainName
	for _, s := range []deal.Submission{open, rejected} {
		if err := a.RecordSubmission(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []deal.Event{
		{DealID: open.DealID, Seq: 2, Type: "review_requested", From: domain.StatusSubmitted, To: domain.StatusPendingApproval,
			Actor: domain.SystemActor, OccurredAt: at, Snapshot: snapshot(open.Registration, domain.StatusPendingApproval)},
		{DealID: rejected.DealID, Seq: 2, Type: "rejected", From: domain.StatusSubmitted, To: domain.StatusRejected,
			Actor: domain.SystemActor, OccurredAt: at, Snapshot: snapshot(rejected.Registration, domain.StatusRejected)},
	} {
		if err := a.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	reg := open.Registration
	res, err := a.Screen(ctx, deal.ScreenInput{DealID: uuid.NewString(), PartnerID: mine.ID.String(), Registration: reg})
	if err != nil {
		t.Fatal(err)
	}
	if res.ProgramID != prog.ID.String() || !res.Policy.AutoApprove.Enabled || res.Policy.Protection.Days != 60 ||
		res.Policy.SLA.ReviewWithin != domain.DefaultPolicy().SLA.ReviewWithin {
		t.Fatalf("policy = %+v", res.Policy)
	}
	if res.Facts.PartnerType != domain.PartnerVAR || res.Facts.Tier != "gold" {
		t.Fatalf("facts = %+v", res.Facts)
	}
	if len(res.Facts.Conflicts) != 1 || res.Facts.Conflicts[0].DealID != open.DealID || res.Facts.Conflicts[0].PartnerID != rival.String() ||
		res.Facts.Conflicts[0].Class != domain.MatchDuplicate {
		t.Fatalf("conflicts = %+v", res.Facts.Conflicts)
	}
	// The rival screening its own domain finds no conflict with itself.
	self, err := a.Screen(ctx, deal.ScreenInput{DealID: uuid.NewString(), PartnerID: rival.String(), Registration: reg})
	if err != nil || len(self.Facts.Conflicts) != 0 {
		t.Fatalf("self conflicts = %+v, %v", self.Facts.Conflicts, err)
	}
	// A partner without a program gets the default program.
	def, err := a.Screen(ctx, deal.ScreenInput{DealID: uuid.NewString(), PartnerID: rival.String(), Registration: reg})
	if err != nil || def.Policy.AutoApprove.Enabled || def.Policy.Protection.Days != 90 {
		t.Fatalf("default policy = %+v, %v", def.Policy, err)
	}
}
