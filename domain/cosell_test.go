package domain

import (
	"testing"
	"time"
)

func TestAddBusinessDays(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"monday plus two", at(2026, 3, 2, 10), 2, at(2026, 3, 4, 10)},
		{"thursday over the weekend", at(2026, 3, 5, 10), 2, at(2026, 3, 9, 10)},
		{"friday plus one is monday", at(2026, 3, 6, 17), 1, at(2026, 3, 9, 17)},
		{"saturday plus one is monday", at(2026, 3, 7, 10), 1, at(2026, 3, 9, 10)},
		{"sunday plus two is tuesday", at(2026, 3, 8, 10), 2, at(2026, 3, 10, 10)},
		{"month end over a weekend", at(2026, 1, 30, 9), 2, at(2026, 2, 3, 9)},  // Fri 30 Jan → Tue 3 Feb
		{"leap february", at(2028, 2, 28, 9), 2, at(2028, 3, 1, 9)},             // Mon 28 Feb 2028 → Wed 1 Mar
		{"year end", at(2026, 12, 31, 12), 2, at(2027, 1, 4, 12)},               // Thu 31 Dec → Mon 4 Jan
		{"year end from saturday", at(2022, 12, 31, 12), 1, at(2023, 1, 2, 12)}, // Sat 31 Dec → Mon 2 Jan
		{"ten days is two weeks", at(2026, 3, 2, 8), 10, at(2026, 3, 16, 8)},
		{"zero keeps the instant", at(2026, 3, 7, 8), 0, at(2026, 3, 7, 8)},
	}
	for _, c := range cases {
		if got := AddBusinessDays(c.from, c.n, nil); !got.Equal(c.want) {
			t.Errorf("%s: AddBusinessDays(%s, %d) = %s, want %s", c.name, c.from.Format(time.RFC1123), c.n, got.Format(time.RFC1123), c.want.Format(time.RFC1123))
		}
	}
}

func TestAddBusinessDaysSkipsHolidays(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		name     string
		from     time.Time
		n        int
		holidays []string
		want     time.Time
	}{
		{"a friday holiday", at(2026, 4, 2, 10), 1, []string{"2026-04-03"}, at(2026, 4, 6, 10)},                       // Thu → (Good Friday) → Mon
		{"a monday holiday", at(2026, 4, 3, 10), 1, []string{"2026-04-06"}, at(2026, 4, 7, 10)},                       // Fri → (Easter Monday) → Tue
		{"friday and monday", at(2026, 4, 2, 10), 2, []string{"2026-04-03", "2026-04-06"}, at(2026, 4, 8, 10)},        // Thu → Tue, Wed
		{"asked on a holiday", at(2026, 5, 1, 10), 1, []string{"2026-05-01"}, at(2026, 5, 4, 10)},                     // Fri (holiday) → Mon
		{"year end", at(2026, 12, 24, 9), 2, []string{"2026-12-25", "2026-12-28", "2027-01-01"}, at(2026, 12, 30, 9)}, // Thu → 29, 30
		{"over new year", at(2026, 12, 31, 9), 1, []string{"2027-01-01"}, at(2027, 1, 4, 9)},                          // Thu → (Fri holiday) → Mon
		{"a holiday on a weekend changes nothing", at(2026, 3, 6, 10), 1, []string{"2026-03-07"}, at(2026, 3, 9, 10)},
		{"a holiday after the deadline changes nothing", at(2026, 3, 2, 10), 2, []string{"2026-03-05"}, at(2026, 3, 4, 10)},
	}
	for _, c := range cases {
		if got := AddBusinessDays(c.from, c.n, NewHolidaySet(c.holidays)); !got.Equal(c.want) {
			t.Errorf("%s: AddBusinessDays(%s, %d, %v) = %s, want %s", c.name, c.from.Format(time.RFC1123), c.n, c.holidays, got.Format(time.RFC1123), c.want.Format(time.RFC1123))
		}
	}
}

func TestCoSellPolicyProblems(t *testing.T) {
	if p := CoSellPolicyProblems(DefaultCoSellPolicy()); len(p) != 0 {
		t.Fatalf("the default policy: %v", p)
	}
	if p := CoSellPolicyProblems(CoSellPolicy{RespondWithin: 2, Holidays: []string{" 2026-12-25 ", "\t2026-12-31"}}); len(p) != 0 {
		t.Fatalf("holidays with spaces around them: %v", p)
	}
	bad := CoSellPolicy{RespondWithin: 2, RemindAfter: 2, MilestoneReminderDays: -1, Holidays: []string{"2026-12-25", "25/12/2026", " 2026-12-25"}}
	got := map[string]bool{}
	for _, p := range CoSellPolicyProblems(bad) {
		got[p.Field] = true
	}
	for _, f := range []string{"remind_after_business_days", "milestone_reminder_days", "holidays[1]", "holidays[2]"} {
		if !got[f] {
			t.Errorf("no problem for %s: %v", f, got)
		}
	}
	if p := CoSellPolicyProblems(CoSellPolicy{RespondWithin: 0}); len(p) == 0 || p[0].Field != "respond_within_business_days" {
		t.Errorf("zero business days: %v", p)
	}
	n := NormalizeCoSellPolicy(CoSellPolicy{RespondWithin: 3, Holidays: []string{" 2027-01-01", "2026-12-25"}})
	if len(n.Holidays) != 2 || n.Holidays[0] != "2026-12-25" || n.Holidays[1] != "2027-01-01" {
		t.Errorf("normalized holidays: %v", n.Holidays)
	}
}

func TestPickTerritory(t *testing.T) {
	rules := []Territory{
		{SellerEmail: "any@v.example"},
		{SellerEmail: "vpn@v.example", ProductLine: "vpn"},
		{SellerEmail: "de@v.example", Country: "DE"},
		{SellerEmail: "de-vpn@v.example", Country: "DE", ProductLine: "vpn"},
		{SellerEmail: "de2@v.example", Country: "DE"},
	}
	cases := []struct {
		country string
		lines   []string
		want    string
	}{
		{"DE", []string{"firewall", "vpn"}, "de-vpn@v.example"},
		{"DE", []string{"firewall"}, "de@v.example"}, // first of two equal rules
		{"FR", []string{"vpn"}, "vpn@v.example"},
		{"FR", []string{"firewall"}, "any@v.example"},
	}
	for _, c := range cases {
		got, ok := PickTerritory(rules, c.country, c.lines)
		if !ok || got.SellerEmail != c.want {
			t.Errorf("%s %v: %q %v, want %q", c.country, c.lines, got.SellerEmail, ok, c.want)
		}
	}
	if _, ok := PickTerritory(rules[1:4], "FR", []string{"firewall"}); ok {
		t.Error("no rule covers FR firewall, yet one was picked")
	}
}

func TestStageMoveProblem(t *testing.T) {
	ok := [][2]CoSellStage{{StageProspect, StageQualified}, {StageProspect, StageCommitted}, {StageCommitted, StageLaunched},
		{StageQualified, StageClosedLost}}
	for _, m := range ok {
		if p := StageMoveProblem(m[0], m[1]); p != "" {
			t.Errorf("%s → %s refused: %s", m[0], m[1], p)
		}
	}
	bad := [][2]CoSellStage{{StageQualified, StageProspect}, {StageQualified, StageQualified}, {StageLaunched, StageClosedLost},
		{StageClosedLost, StageQualified}, {StageProspect, "won"}}
	for _, m := range bad {
		if p := StageMoveProblem(m[0], m[1]); p == "" {
			t.Errorf("%s → %s allowed", m[0], m[1])
		}
	}
}

func TestMilestoneTimes(t *testing.T) {
	due := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if MilestoneOverdue(due, time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC), false) {
		t.Error("overdue on its due day")
	}
	if !MilestoneOverdue(due, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), false) {
		t.Error("not overdue the day after")
	}
	if MilestoneOverdue(due, time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), true) {
		t.Error("a done milestone is overdue")
	}
	if got := MilestoneReminderAt(due, 2); !got.Equal(time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("reminder at %s", got)
	}
}

func TestCoSellOutcomeOf(t *testing.T) {
	for s, want := range map[Status]CoSellOutcome{StatusClosedWon: OutcomeWon, StatusClosedLost: OutcomeLost,
		StatusExpired: OutcomeExpired, StatusWithdrawn: OutcomeWithdrawn, StatusApproved: ""} {
		if got := CoSellOutcomeOf(s); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
}
