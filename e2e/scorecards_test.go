package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// A partner's scorecard through the API: a new partner registers two
// deals, a manager approves one and rejects the other; the scorecard
// counts them (approval rate 1/2, two decisions timed, no win rate yet)
// for the vendor and for the partner itself. Another organization's
// partner cannot read it (404) and lists only its own; a wrong period or
// an unknown program is named (422).
func TestPartnerScorecardAPI(t *testing.T) {
	partner, err := cliLine("partner", "create", "--name", "Scorecard Partner "+tag(), "--type", "reseller", "--tier", "silver")
	if err != nil {
		t.Fatal(err)
	}
	token, err := cliLine("token", "create", "--role", "partner_user", "--partner", partner, "--name", "Sam Scorecard",
		"--email", fmt.Sprintf("sam.%s@scorecard.example", tag()))
	if err != nil {
		t.Fatal(err)
	}
	first, second := submit(t, token).str("id"), submit(t, token).str("id")
	call(t, http.MethodPost, "/v1/deals/"+first+"/approve", stack.tokens["manager"], map[string]string{"reason": "fits"}).must(t, http.StatusOK)
	call(t, http.MethodPost, "/v1/deals/"+second+"/reject", stack.tokens["manager"], map[string]string{"reason": "duplicate"}).must(t, http.StatusOK)

	month := time.Now().UTC().Format("2006-01")
	path := "/v1/partners/" + partner + "/scorecard?from=" + month + "&to=" + month
	for _, who := range []string{"manager", "finance", "admin"} {
		card := call(t, http.MethodGet, path, stack.tokens[who], nil).must(t, http.StatusOK)
		deals, _ := card.body["deals"].(map[string]any)
		times, _ := card.body["response_times"].(map[string]any)
		if card.str("partner_id") != partner || deals["registered"] != float64(2) || deals["approved"] != float64(1) ||
			deals["rejected"] != float64(1) || deals["approval_rate"] != 0.5 || deals["win_rate"] != nil ||
			times["decided"] != float64(2) || times["decision_median_seconds"] == nil || card.str("from") != month {
			t.Fatalf("%s reads %s", who, card.raw)
		}
	}
	own := call(t, http.MethodGet, path, token, nil).must(t, http.StatusOK)
	if own.str("partner_id") != partner {
		t.Fatalf("the partner's own scorecard: %s", own.raw)
	}
	list := call(t, http.MethodGet, "/v1/analytics/scorecards?from="+month, token, nil).must(t, http.StatusOK)
	if cards, _ := list.body["scorecards"].([]any); len(cards) != 1 || cards[0].(map[string]any)["partner_id"] != partner {
		t.Fatalf("the partner's list: %s", list.raw)
	}

	// Organization A's users: not found, and a list of A alone.
	for _, who := range []string{"partnerA", "adminA"} {
		call(t, http.MethodGet, path, stack.tokens[who], nil).problem(t, http.StatusNotFound, "urn:dealflow:problem:not-found")
		l := call(t, http.MethodGet, "/v1/analytics/scorecards", stack.tokens[who], nil).must(t, http.StatusOK)
		if cards, _ := l.body["scorecards"].([]any); len(cards) != 1 || cards[0].(map[string]any)["partner_id"] != stack.partnerA {
			t.Fatalf("%s's list: %s", who, l.raw)
		}
	}
	vendor := call(t, http.MethodGet, "/v1/analytics/scorecards", stack.tokens["manager"], nil).must(t, http.StatusOK)
	if cards, _ := vendor.body["scorecards"].([]any); len(cards) < 3 {
		t.Fatalf("the vendor's list: %d scorecards", len(cards))
	}

	for q, field := range map[string]string{"from=2026-13": "from", "to=26-01": "to", "from=2026-05&to=2026-01": "to",
		"from=2001-01&to=2026-01": "to", "program_id=" + partner: "program_id", "program_id=x": "program_id"} {
		r := call(t, http.MethodGet, "/v1/partners/"+partner+"/scorecard?"+q, stack.tokens["manager"], nil).
			problem(t, http.StatusUnprocessableEntity, "urn:dealflow:problem:validation")
		if _, ok := r.fieldErrors()[field]; !ok {
			t.Errorf("?%s: %s, want an error on %s", q, r.raw, field)
		}
	}
}
