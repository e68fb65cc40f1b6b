package steps

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// dealActionsBefore is the console's offer rule as it was written before
// the step table (console_deals.go: dealActions), kept as the oracle of
// TestOfferedAsBefore.
func dealActionsBefore(p web.Principal, d dbq.Deal) map[string]bool {
	a := map[string]bool{}
	st := domain.Status(d.Status)
	owner := p.Role.IsPartner() && p.PartnerID.Valid && p.PartnerID.UUID == d.PartnerID
	manager := p.Role == domain.RoleChannelManager || p.Role == domain.RoleAdmin
	switch {
	case owner && st == domain.StatusInfoRequested:
		a["answer-info"], a["withdraw"] = true, true
	case owner && st == domain.StatusApproved:
		a["close-won"], a["close-lost"], a["withdraw"] = true, true, true
		a["request-extension"] = !d.ExtensionRequested
	case owner && st.CanMoveTo(domain.StatusWithdrawn):
		a["withdraw"] = true
	case manager && st == domain.StatusPendingApproval:
		a["approve"], a["reject"], a["request-info"] = true, true, true
	case manager && st == domain.StatusConflictReview:
		a["resolve-conflict"] = true
	case manager && st == domain.StatusApproved && d.ExtensionRequested:
		a["decide-extension"] = true
	}
	pending := d.CorrectionPendingAmount.Valid
	if st == domain.StatusClosedWon && !pending && (owner || p.Role == domain.RoleFinance || p.Role == domain.RoleAdmin) {
		a["correct-outcome"] = true
	}
	if st == domain.StatusClosedWon && pending && (manager || p.Role == domain.RoleFinance) {
		a["decide-correction"] = true
	}
	for k, v := range a {
		if !v {
			delete(a, k)
		}
	}
	return a
}

// Every role (of the deal's partner, of another, of the vendor) on a deal
// in every status, with and without an extension request and a pending
// correction, is offered by the step table's Offered exactly the steps the
// console offered before.
func TestOfferedAsBefore(t *testing.T) {
	mine, other := uuid.New(), uuid.New()
	var who []web.Principal
	for _, r := range domain.TokenRoles {
		p := web.Principal{Role: r}
		if r.IsPartner() {
			who = append(who, web.Principal{Role: r, PartnerID: uuid.NullUUID{UUID: other, Valid: true}})
			p.PartnerID = uuid.NullUUID{UUID: mine, Valid: true}
		}
		who = append(who, p)
	}
	n := 0
	for _, st := range domain.AllStatuses {
		for _, ext := range []bool{false, true} {
			for _, pending := range []bool{false, true} {
				d := dbq.Deal{PartnerID: mine, Status: string(st), ExtensionRequested: ext,
					CorrectionPendingAmount: pgtype.Int8{Int64: 5, Valid: pending}}
				for _, p := range who {
					got := map[string]bool{}
					for _, s := range Deal() {
						if s.Offered(p, d) {
							got[s.Path] = true
							n++
						}
					}
					if want := dealActionsBefore(p, d); !reflect.DeepEqual(got, want) {
						t.Errorf("%s (partner %v) on a %s deal (extension %v, correction %v): offered %v, before %v",
							p.Role, p.PartnerID.UUID == mine, st, ext, pending, got, want)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("nothing was offered to anyone")
	}
}

// Each entry of the deal step table is whole: a path that is the Update's
// name (as the workflow registers it), roles, a body, an offer rule and a
// form whose fields are fields of the body.
func TestDealStepTableIsWhole(t *testing.T) {
	seen := map[string]bool{}
	for _, st := range Deal() {
		if st.Path != st.Update || seen[st.Path] {
			t.Errorf("step %q: path and update %q, seen before %v", st.Path, st.Update, seen[st.Path])
		}
		seen[st.Path] = true
		if len(st.Roles) == 0 || st.NewBody == nil || st.Offered == nil || st.Form.Button == "" {
			t.Errorf("step %q lacks roles, a body, an offer rule or a button", st.Path)
		}
		body := reflect.TypeOf(st.NewBody()).Elem()
		for _, f := range st.Form.Fields {
			found := false
			for i := range body.NumField() {
				name, _, _ := strings.Cut(body.Field(i).Tag.Get("json"), ",")
				found = found || name == f.Name
			}
			if !found {
				t.Errorf("step %q: form field %q is not a field of %s", st.Path, f.Name, body.Name())
			}
		}
	}
}
