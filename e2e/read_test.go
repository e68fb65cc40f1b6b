package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func listIDs(t *testing.T, r response) []string {
	t.Helper()
	var ids []string
	for _, d := range r.body["deals"].([]any) {
		ids = append(ids, d.(map[string]any)["id"].(string))
	}
	return ids
}

// GET /v1/deals: partners see only their organization's deals, managers
// all; filters by status, partner, escalation and expiry; cursor pages.
func TestListDeals(t *testing.T) {
	var mine []string
	for i := 0; i < 3; i++ {
		mine = append(mine, submit(t, stack.tokens["partnerB"]).str("id"))
	}
	post(t, "/v1/deals/"+mine[0]+"/approve", "manager", nil).must(t, http.StatusOK)

	all := call(t, http.MethodGet, "/v1/deals?limit=200", stack.tokens["partnerB"], nil).must(t, http.StatusOK)
	for _, d := range all.body["deals"].([]any) {
		if d.(map[string]any)["partner_id"] != stack.partnerB {
			t.Fatalf("partner B sees another organization's deal: %v", d)
		}
	}
	// Asking for partner A's deals as partner B finds nothing.
	spy := call(t, http.MethodGet, "/v1/deals?partner_id="+stack.partnerA, stack.tokens["partnerB"], nil).must(t, http.StatusOK)
	if n := len(spy.body["deals"].([]any)); n != 0 {
		t.Fatalf("partner B listed %d of partner A's deals", n)
	}
	// Managers filter by partner and status.
	q := "/v1/deals?partner_id=" + stack.partnerB + "&status=approved&limit=200"
	approved := listIDs(t, call(t, http.MethodGet, q, stack.tokens["manager"], nil).must(t, http.StatusOK))
	if !slices.Contains(approved, mine[0]) || slices.Contains(approved, mine[1]) {
		t.Fatalf("approved filter = %v", approved)
	}
	// Expiring before: the approved deal expires in about 90 days.
	soon := time.Now().UTC().AddDate(0, 0, 91).Format(time.DateOnly)
	exp := listIDs(t, call(t, http.MethodGet, "/v1/deals?expiring_before="+soon+"&partner_id="+stack.partnerB, stack.tokens["manager"], nil))
	later := listIDs(t, call(t, http.MethodGet, "/v1/deals?expiring_before="+time.Now().UTC().AddDate(0, 0, 80).Format(time.DateOnly)+"&partner_id="+stack.partnerB, stack.tokens["manager"], nil))
	if !slices.Contains(exp, mine[0]) || slices.Contains(later, mine[0]) {
		t.Fatalf("expiring filter: before %s %v; before +80d %v", soon, exp, later)
	}
	if got := listIDs(t, call(t, http.MethodGet, "/v1/deals?escalated=true&partner_id="+stack.partnerB, stack.tokens["manager"], nil)); len(got) != 0 {
		t.Fatalf("escalated deals: %v", got)
	}
	// Pages of two, newest first, with no overlap and no gap.
	var paged []string
	cursor := ""
	for page := 0; page < 100; page++ {
		path := "/v1/deals?limit=2&partner_id=" + stack.partnerB
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := call(t, http.MethodGet, path, stack.tokens["manager"], nil).must(t, http.StatusOK)
		paged = append(paged, listIDs(t, r)...)
		if cursor = r.str("next_cursor"); cursor == "" {
			break
		}
	}
	if strings.Join(paged, ",") != strings.Join(listIDs(t, all), ",") {
		t.Fatalf("pages %v differ from the full list %v", paged, listIDs(t, all))
	}
	for _, bad := range []string{"status=pending", "limit=0", "limit=500", "escalated=maybe", "expiring_before=soon", "cursor=zzz", "partner_id=1"} {
		call(t, http.MethodGet, "/v1/deals?"+bad, stack.tokens["manager"], nil).problem(t, 422, "urn:dealflow:problem:validation")
	}
}

// The inbox lists deals awaiting a manager by SLA due time; partners and
// finance cannot read it.
func TestInbox(t *testing.T) {
	first := submit(t, stack.tokens["partnerA"]).str("id")
	second := submit(t, stack.tokens["partnerA"]).str("id")
	r := call(t, http.MethodGet, "/v1/inbox?limit=200", stack.tokens["manager"], nil).must(t, http.StatusOK)
	var order []string
	var last string
	for _, it := range r.body["items"].([]any) {
		d := it.(map[string]any)["deal"].(map[string]any)
		order = append(order, d["id"].(string))
		if due, ok := d["sla_due_at"].(string); ok {
			if last != "" && due < last {
				t.Fatalf("inbox not ordered by SLA due: %s after %s", due, last)
			}
			last = due
		}
	}
	i, j := slices.Index(order, first), slices.Index(order, second)
	if i < 0 || j < 0 || i > j {
		t.Fatalf("inbox order %d, %d", i, j)
	}
	for _, who := range []string{"partnerA", "finance"} {
		call(t, http.MethodGet, "/v1/inbox", stack.tokens[who], nil).problem(t, http.StatusForbidden, "urn:dealflow:problem:forbidden")
	}
}

// Programs are data: an admin creates one with automatic approval, a
// partner in it gets its small deal approved at once, recorded as the
// system's decision with the rule; a partner type the program does not
// allow a kind is refused at submission; bad policies are 422.
func TestProgramsDriveScreening(t *testing.T) {
	name := fmt.Sprintf("Fast track %d", time.Now().UnixNano())
	prog := post(t, "/v1/programs", "admin", map[string]any{"name": name, "policy": map[string]any{
		"auto_approve": map[string]any{"enabled": true, "min_tier": "gold", "max_amount": map[string]int{"USD": 5_000_000}},
		"kinds":        map[string]any{"referral": []string{"referral"}, "reseller": []string{"resale"}},
	}}).must(t, http.StatusCreated)
	progID := prog.str("id")
	if prog.body["effective_policy"].(map[string]any)["protection"].(map[string]any)["days"] != float64(90) {
		t.Fatalf("defaults not applied: %s", prog.raw)
	}
	post(t, "/v1/programs", "manager", map[string]any{"name": "x"}).problem(t, http.StatusForbidden, "urn:dealflow:problem:forbidden")
	post(t, "/v1/programs", "admin", map[string]any{"name": "bad", "policy": map[string]any{"protection": map[string]any{"days": 0}}}).
		problem(t, 422, "urn:dealflow:problem:validation")
	post(t, "/v1/programs", "admin", map[string]any{"name": "bad2", "policy": map[string]any{"nonsense": 1}}).
		problem(t, 422, "urn:dealflow:problem:validation")
	post(t, "/v1/programs", "admin", map[string]any{"name": name}).problem(t, http.StatusConflict, "urn:dealflow:problem:duplicate")

	gold, err := cliLine("partner", "create", "--name", "Gold Co", "--type", "reseller", "--tier", "gold", "--program", progID)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cliLine("token", "create", "--role", "partner_user", "--partner", gold, "--name", "Gil Gold", "--email", "gil."+tag()+"@gold.example")
	if err != nil {
		t.Fatal(err)
	}
	b := dealBody()
	b["amount"] = 1_000_000
	r := call(t, http.MethodPost, "/v1/deals", tok, b).must(t, http.StatusCreated)
	if r.str("status") != "approved" || r.str("program_id") != progID {
		t.Fatalf("auto approval = %s", r.raw)
	}
	tl := r.timeline(t)
	last := tl[len(tl)-1]
	if last["type"] != "auto_approved" || last["actor"].(map[string]any)["role"] != "system" ||
		last["payload"].(map[string]any)["rule"] != "auto_approve" {
		t.Fatalf("auto approval event = %v", last)
	}
	b2 := dealBody()
	b2["amount"] = 9_000_000
	if big := call(t, http.MethodPost, "/v1/deals", tok, b2).must(t, http.StatusCreated); big.str("status") != "pending_approval" {
		t.Fatalf("over the limit = %s", big.str("status"))
	}
	b3 := dealBody()
	b3["kind"] = "referral"
	call(t, http.MethodPost, "/v1/deals", tok, b3).problem(t, 422, "urn:dealflow:problem:validation")
	list := call(t, http.MethodGet, "/v1/programs", stack.tokens["manager"], nil).must(t, http.StatusOK)
	if !strings.Contains(string(list.raw), progID) {
		t.Fatal("program not listed")
	}
}

// Steps a person must act on write notifications to the outbox, addressed
// to the right people, in the same transaction as their event.
func TestNotificationsOutbox(t *testing.T) {
	id := submit(t, stack.tokens["partnerA"]).str("id")
	post(t, "/v1/deals/"+id+"/request-info", "manager", map[string]string{"question": "Budget?"}).must(t, http.StatusOK)
	rows, err := stack.pool.Query(t.Context(),
		"SELECT n.audience, n.kind FROM notifications n WHERE n.deal_id = $1 ORDER BY n.event_seq, n.ordinal", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a, k string
		if err := rows.Scan(&a, &k); err != nil {
			t.Fatal(err)
		}
		got = append(got, a+" "+k)
	}
	want := []string{"role:channel_manager review_needed", "partner:" + stack.partnerA + " info_requested"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("notifications = %v", got)
	}
}
