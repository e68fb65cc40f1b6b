package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/workflows/cosell"
)

// sharedBody is a shared opportunity of a new customer for the partners
// chosen by filters and ids.
func sharedBody(mode string, filters map[string]any, ids []string) map[string]any {
	return map[string]any{"customer_name": "Cyberdyne " + uniqueName(), "domain": uniqueDomain(), "country": "DE",
		"product_lines": []string{"firewall"}, "amount": 2500000, "currency": "EUR", "capabilities": []string{"managed soc"},
		"expected_close_date": time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly), "notes": "a vendor opportunity",
		"mode": mode, "filters": filters, "partner_ids": ids}
}

// racePartners creates n partners of one type with a partner user each
// (e-mail per person) and a lead profile in DE; it returns their ids and
// tokens.
func racePartners(t *testing.T, n int, typ string) (ids, tokens []string) {
	t.Helper()
	for i := 0; i < n; i++ {
		id, err := cliLine("partner", "create", "--name", fmt.Sprintf("Race %s %d", uniqueName(), i), "--type", typ, "--tier", "Gold")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", id, "--name", fmt.Sprintf("Racer %d", i),
			"--email", fmt.Sprintf("racer-%s-%d@race.example", id[:8], i))
		if err != nil {
			t.Fatal(err)
		}
		call(t, http.MethodPut, "/v1/partners/"+id+"/lead-profile", stack.tokens["manager"],
			map[string]any{"countries": []string{"DE"}, "product_lines": []string{"firewall"}, "tags": []string{"race"}, "capacity": 100, "weight": 1}).
			must(t, http.StatusOK)
		ids, tokens = append(ids, id), append(tokens, tok)
	}
	return ids, tokens
}

// Through the real binary: a seller shares an opportunity first_to_accept
// with ten partners; all ten accept at once, exactly one wins (200, an
// approved vendor_sourced registration whose notes name the opportunity
// and the seller), nine get 409 problems — repeated. Partners see only
// their own invitations; another seller sees nothing.
func TestSharedOpportunityRaceOverHTTP(t *testing.T) {
	seller, seller2 := stack.tokens["seller"], stack.tokens["seller2"]
	ids, tokens := racePartners(t, 10, "si")
	call(t, http.MethodPost, "/v1/cosell/opportunities", seller, sharedBody("first_to_accept", map[string]any{"tags": []string{"no-such-tag"}}, nil)).
		problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
	rounds := 5
	if testing.Short() {
		rounds = 2
	}
	for round := 0; round < rounds; round++ {
		opp := call(t, http.MethodPost, "/v1/cosell/opportunities", seller,
			sharedBody("first_to_accept", map[string]any{"partner_types": []string{"si"}, "country": "DE", "tags": []string{"race"}}, ids)).
			must(t, http.StatusCreated)
		id := opp.str("id")
		if opp.str("status") != "open" || len(opp.body["invitations"].([]any)) != 10 {
			t.Fatalf("shared: %s", opp.raw)
		}
		if round == 0 {
			call(t, http.MethodGet, "/v1/cosell/opportunities/"+id, seller2, nil).must(t, http.StatusNotFound)
			call(t, http.MethodPost, "/v1/cosell/invitations/"+id+"/accept", stack.tokens["partnerB"], map[string]any{}).must(t, http.StatusNotFound)
			call(t, http.MethodPost, "/v1/cosell/invitations/"+id+"/decline", tokens[0], map[string]any{}).
				problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
			for _, inv := range call(t, http.MethodGet, "/v1/cosell/invitations", stack.tokens["partnerB"], nil).must(t, http.StatusOK).body["invitations"].([]any) {
				if inv.(map[string]any)["opportunity_id"] == id {
					t.Fatalf("partner B lists an invitation it does not hold: %v", inv)
				}
			}
			if l := call(t, http.MethodGet, "/v1/cosell/invitations", tokens[3], nil).must(t, http.StatusOK); len(l.body["invitations"].([]any)) != 1 {
				t.Fatalf("a racer sees: %s", l.raw)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		var problems []response
		for _, tok := range tokens {
			wg.Add(1)
			go func(tok string) {
				defer wg.Done()
				r := call(t, http.MethodPost, "/v1/cosell/invitations/"+id+"/accept", tok, map[string]any{"reason": "we take it"})
				mu.Lock()
				defer mu.Unlock()
				statuses[r.status]++
				if r.status == http.StatusConflict {
					problems = append(problems, r)
				}
			}(tok)
		}
		wg.Wait()
		if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != 9 {
			t.Fatalf("round %d: statuses %v", round, statuses)
		}
		for _, p := range problems {
			p.problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
		}
		got := call(t, http.MethodGet, "/v1/cosell/opportunities/"+id, seller, nil).must(t, http.StatusOK)
		if got.str("status") != "awarded" || got.str("deal_id") == "" || got.str("deal_status") != "approved" {
			t.Fatalf("round %d: %s", round, got.raw)
		}
		var accepted int
		for _, inv := range got.body["invitations"].([]any) {
			if inv.(map[string]any)["status"] == "accepted" {
				accepted++
			}
		}
		var n int
		if err := stack.pool.QueryRow(t.Context(), `SELECT count(*) FROM cosell_invitations WHERE opportunity_id = $1 AND status = 'accepted' AND deal_id IS NOT NULL`, id).Scan(&n); err != nil || n != 1 || accepted != 1 {
			t.Fatalf("round %d: %d accepted rows (%v), %d in the view", round, n, err, accepted)
		}
		var kind, notes, status string
		if err := stack.pool.QueryRow(t.Context(), `SELECT kind, notes, status FROM deals WHERE id = $1`, got.str("deal_id")).Scan(&kind, &notes, &status); err != nil {
			t.Fatal(err)
		}
		if want := "shared opportunity " + id + " from seller sam@vendor.example"; kind != "vendor_sourced" || notes != want || status != "approved" {
			t.Fatalf("round %d: deal %s %q %s", round, kind, notes, status)
		}
		if round == 0 {
			recordHistory(t, cosell.OpportunityWorkflowID(id), "v1-cosell-shared-opportunity-race.json")
		}
	}
}

// seller_chooses over HTTP: two partners express interest, the seller
// chooses one, the other is told no; a withdrawn opportunity takes no
// accept.
func TestSharedOpportunitySellerChoosesOverHTTP(t *testing.T) {
	seller, mgr := stack.tokens["seller"], stack.tokens["manager"]
	ids, tokens := racePartners(t, 2, "var")
	opp := call(t, http.MethodPost, "/v1/cosell/opportunities", seller, sharedBody("seller_chooses", nil, ids)).must(t, http.StatusCreated)
	id := opp.str("id")
	call(t, http.MethodPost, "/v1/cosell/invitations/"+id+"/accept", tokens[0], map[string]any{}).
		problem(t, http.StatusConflict, "urn:dealflow:problem:invalid-transition")
	for _, tok := range tokens {
		call(t, http.MethodPost, "/v1/cosell/invitations/"+id+"/interest", tok, map[string]any{"reason": "ours"}).must(t, http.StatusOK)
	}
	call(t, http.MethodPost, "/v1/cosell/opportunities/"+id+"/choose", stack.tokens["seller2"], map[string]any{"partner_id": ids[1]}).must(t, http.StatusNotFound)
	got := call(t, http.MethodPost, "/v1/cosell/opportunities/"+id+"/choose", seller, map[string]any{"partner_id": ids[1], "reason": "closest"}).must(t, http.StatusOK)
	if got.str("status") != "awarded" || got.str("winner_partner_id") != ids[1] {
		t.Fatalf("chosen: %s", got.raw)
	}
	inv := call(t, http.MethodGet, "/v1/cosell/invitations", tokens[0], nil).must(t, http.StatusOK).body["invitations"].([]any)[0].(map[string]any)
	if inv["status"] != "lost" {
		t.Fatalf("the other partner's invitation: %v", inv)
	}

	w := call(t, http.MethodPost, "/v1/cosell/opportunities", mgr, sharedBody("first_to_accept", nil, ids)).must(t, http.StatusCreated).str("id")
	call(t, http.MethodPost, "/v1/cosell/opportunities/"+w+"/withdraw", mgr, map[string]any{}).must(t, http.StatusUnprocessableEntity)
	call(t, http.MethodPost, "/v1/cosell/opportunities/"+w+"/withdraw", mgr, map[string]any{"reason": "went direct"}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/cosell/invitations/"+w+"/accept", tokens[0], map[string]any{}).must(t, http.StatusConflict)
	recordHistory(t, cosell.OpportunityWorkflowID(id), "v1-cosell-shared-opportunity-chosen.json")
}

// sharedOpportunityObjects is the authorization matrix's object level for
// shared opportunities: a partner not invited acts on no invitation
// (404, nothing changes), another seller reads and steps on nothing of
// the seller's (404).
func sharedOpportunityObjects(t *testing.T) {
	t.Helper()
	id := call(t, http.MethodPost, "/v1/cosell/opportunities", stack.tokens["seller"], sharedBody("seller_chooses", nil, []string{stack.partnerA})).
		must(t, http.StatusCreated).str("id")
	for _, step := range []string{"accept", "decline", "interest"} {
		call(t, http.MethodPost, "/v1/cosell/invitations/"+id+"/"+step, stack.tokens["partnerB"], map[string]any{"reason": "x"}).must(t, http.StatusNotFound)
	}
	for _, inv := range call(t, http.MethodGet, "/v1/cosell/invitations", stack.tokens["partnerB"], nil).must(t, http.StatusOK).body["invitations"].([]any) {
		if inv.(map[string]any)["opportunity_id"] == id {
			t.Errorf("partner B lists partner A's invitation")
		}
	}
	s2 := stack.tokens["seller2"]
	call(t, http.MethodGet, "/v1/cosell/opportunities/"+id, s2, nil).must(t, http.StatusNotFound)
	call(t, http.MethodPost, "/v1/cosell/opportunities/"+id+"/choose", s2, map[string]any{"partner_id": stack.partnerA}).must(t, http.StatusNotFound)
	call(t, http.MethodPost, "/v1/cosell/opportunities/"+id+"/withdraw", s2, map[string]any{"reason": "x"}).must(t, http.StatusNotFound)
	got := call(t, http.MethodGet, "/v1/cosell/opportunities/"+id, stack.tokens["seller"], nil).must(t, http.StatusOK)
	if got.str("status") != "open" || len(got.body["events"].([]any)) != 1 {
		t.Errorf("the opportunity changed: %s", got.raw)
	}
}
