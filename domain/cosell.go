package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CoSellType is what a partner asks the vendor's seller for.
type CoSellType string

// The kinds of help a partner can ask for on an approved registration.
const (
	CoSellTechnicalValidation  CoSellType = "technical_validation"
	CoSellProofOfConcept       CoSellType = "proof_of_concept"
	CoSellExecutiveSponsor     CoSellType = "executive_sponsor"
	CoSellPricingSupport       CoSellType = "pricing_support"
	CoSellJointCustomerMeeting CoSellType = "joint_customer_meeting"
)

// CoSellTypes lists every CoSellType, in the order forms show them.
var CoSellTypes = []CoSellType{CoSellTechnicalValidation, CoSellProofOfConcept, CoSellExecutiveSponsor,
	CoSellPricingSupport, CoSellJointCustomerMeeting}

// Valid reports whether t is a known type.
func (t CoSellType) Valid() bool { return slices.Contains(CoSellTypes, t) }

// CoSellStage is where an accepted engagement stands, in the stages cloud
// co-sell programs use.
type CoSellStage string

// The stages of an engagement, in order; closed_lost may follow any of
// them before launched.
const (
	StageProspect            CoSellStage = "prospect"
	StageQualified           CoSellStage = "qualified"
	StageTechnicalValidation CoSellStage = "technical_validation"
	StageBusinessValidation  CoSellStage = "business_validation"
	StageCommitted           CoSellStage = "committed"
	StageLaunched            CoSellStage = "launched"
	StageClosedLost          CoSellStage = "closed_lost"
)

// CoSellStages lists the stages in order (closed_lost last).
var CoSellStages = []CoSellStage{StageProspect, StageQualified, StageTechnicalValidation, StageBusinessValidation,
	StageCommitted, StageLaunched, StageClosedLost}

// Valid reports whether s is a known stage.
func (s CoSellStage) Valid() bool { return slices.Contains(CoSellStages, s) }

// Final reports whether no stage may follow s.
func (s CoSellStage) Final() bool { return s == StageLaunched || s == StageClosedLost }

// StageMoveProblem says why an engagement may not move from one stage to
// another ("" : it may): a stage moves forward one or more steps (never
// back, never to itself), to closed_lost from any open stage, and not at
// all from launched or closed_lost.
func StageMoveProblem(from, to CoSellStage) string {
	switch {
	case !to.Valid():
		return "is not a known stage"
	case from.Final():
		return "the engagement is " + string(from) + " and moves no further"
	case to == StageClosedLost:
		return ""
	case slices.Index(CoSellStages, to) <= slices.Index(CoSellStages, from):
		return "a stage moves forward only (from " + string(from) + ")"
	}
	return ""
}

// CoSellOutcome is how the deal behind an engagement ended.
type CoSellOutcome string

// Deal outcomes an engagement records when it ends.
const (
	OutcomeWon       CoSellOutcome = "won"
	OutcomeLost      CoSellOutcome = "lost"
	OutcomeExpired   CoSellOutcome = "expired"
	OutcomeWithdrawn CoSellOutcome = "withdrawn"
	OutcomeRejected  CoSellOutcome = "rejected"
)

// CoSellOutcomeOf is the outcome an engagement records when its deal
// reaches status s ("" : s does not end the deal for co-selling). A win
// ends it although the deal's workflow stays open for corrections.
func CoSellOutcomeOf(s Status) CoSellOutcome {
	switch s {
	case StatusClosedWon:
		return OutcomeWon
	case StatusClosedLost:
		return OutcomeLost
	case StatusExpired:
		return OutcomeExpired
	case StatusWithdrawn:
		return OutcomeWithdrawn
	case StatusRejected:
		return OutcomeRejected
	}
	return ""
}

// CoSellPolicy holds the co-sell response rules: a seller answers a request
// within RespondWithin business days; a reminder goes RemindAfter business
// days after routing (0: none), and on the deadline the request escalates
// to the channel managers. A milestone's owner is reminded
// MilestoneReminderDays calendar days before it is due. Holidays (days,
// YYYY-MM-DD, UTC) are not business days. A program sets its own
// (docs/cosell.md); an engagement keeps the policy it started with.
type CoSellPolicy struct {
	RespondWithin         int      `json:"respond_within_business_days"`
	RemindAfter           int      `json:"remind_after_business_days"`
	MilestoneReminderDays int      `json:"milestone_reminder_days"`
	Holidays              []string `json:"holidays,omitempty"`
}

// DefaultCoSellPolicy answers within 2 business days, reminds after 1,
// reminds milestone owners 2 days ahead, and knows no holidays.
func DefaultCoSellPolicy() CoSellPolicy {
	return CoSellPolicy{RespondWithin: 2, RemindAfter: 1, MilestoneReminderDays: 2}
}

// Limits of a co-sell policy a program may set.
const (
	MaxCoSellRespondWithin = 30
	MaxCoSellReminderDays  = 30
	MaxCoSellHolidays      = 400
)

// CoSellPolicyProblems lists what is wrong with p, by field (empty: valid).
// Holidays must be days (YYYY-MM-DD), each once, spaces around them aside
// (NormalizeCoSellPolicy trims them), so that the API and the console's
// form accept the same calendars.
func CoSellPolicyProblems(p CoSellPolicy) []FieldProblem {
	var out []FieldProblem
	if p.RespondWithin < 1 || p.RespondWithin > MaxCoSellRespondWithin {
		out = append(out, FieldProblem{"respond_within_business_days", fmt.Sprintf("must be between 1 and %d", MaxCoSellRespondWithin)})
	}
	if p.RemindAfter < 0 || (p.RespondWithin >= 1 && p.RemindAfter >= p.RespondWithin) {
		out = append(out, FieldProblem{"remind_after_business_days", "must be 0 (no reminder) or fewer than the business days to respond (respond_within_business_days)"})
	}
	if p.MilestoneReminderDays < 0 || p.MilestoneReminderDays > MaxCoSellReminderDays {
		out = append(out, FieldProblem{"milestone_reminder_days", fmt.Sprintf("must be between 0 and %d", MaxCoSellReminderDays)})
	}
	if len(p.Holidays) > MaxCoSellHolidays {
		out = append(out, FieldProblem{"holidays", fmt.Sprintf("at most %d days", MaxCoSellHolidays)})
	}
	seen := map[string]bool{}
	for i, d := range p.Holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		d = strings.TrimSpace(d)
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			out = append(out, FieldProblem{field, "must be a day (YYYY-MM-DD)"})
		} else if seen[d] {
			out = append(out, FieldProblem{field, "is listed twice"})
		}
		seen[d] = true
	}
	return out
}

// NormalizeCoSellPolicy returns p with its holidays sorted (trimmed), so
// that two equal calendars are stored and recorded alike.
func NormalizeCoSellPolicy(p CoSellPolicy) CoSellPolicy {
	h := make([]string, 0, len(p.Holidays))
	for _, d := range p.Holidays {
		h = append(h, strings.TrimSpace(d))
	}
	slices.Sort(h)
	p.Holidays = h
	if len(h) == 0 {
		p.Holidays = nil
	}
	return p
}

// HolidaySet is a set of days (YYYY-MM-DD) that are not business days.
// A nil set knows no holidays.
type HolidaySet map[string]struct{}

// NewHolidaySet makes the set of days (YYYY-MM-DD) listed.
func NewHolidaySet(days []string) HolidaySet {
	if len(days) == 0 {
		return nil
	}
	s := make(HolidaySet, len(days))
	for _, d := range days {
		s[d] = struct{}{}
	}
	return s
}

// Has reports whether t's day (in t's location) is a holiday.
func (s HolidaySet) Has(t time.Time) bool {
	_, ok := s[t.Format(time.DateOnly)]
	return ok
}

// Calendar is the policy's holidays as a set.
func (p CoSellPolicy) Calendar() HolidaySet { return NewHolidaySet(p.Holidays) }

// IsBusinessDay reports whether t's day is Monday to Friday and not a holiday.
func IsBusinessDay(t time.Time, holidays HolidaySet) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !holidays.Has(t)
}

// AddBusinessDays returns t moved n business days (Monday to Friday, in
// t's location, and not one of holidays) later, at the same time of day:
// weekends and holidays are skipped, so Friday 10:00 + 1 is Monday 10:00
// (Tuesday if that Monday is a holiday), and Saturday 10:00 + 1 is Monday
// 10:00 too (the first business day after the weekend). n <= 0 returns t.
func AddBusinessDays(t time.Time, n int, holidays HolidaySet) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if IsBusinessDay(t, holidays) {
			n--
		}
	}
	return t
}

// Territory is one territory rule: a seller covers the customers of
// Country and/or ProductLine ("" : any).
type Territory struct {
	SellerEmail string `json:"seller_email"`
	Country     string `json:"country"`
	ProductLine string `json:"product_line"`
}

// specificity ranks a rule: both country and product line named beats
// country alone, which beats product line alone, which beats neither.
func (t Territory) specificity() int {
	s := 0
	if t.Country != "" {
		s += 2
	}
	if t.ProductLine != "" {
		s++
	}
	return s
}

// PickTerritory returns the seller of the most specific rule that covers a
// customer in country buying productLines, and whether any rule does.
// Among equally specific rules the first listed wins (callers list them in
// a stable order: oldest first).
func PickTerritory(rules []Territory, country string, productLines []string) (Territory, bool) {
	best, found := Territory{}, false
	for _, r := range rules {
		if r.Country != "" && r.Country != country {
			continue
		}
		if r.ProductLine != "" && !slices.Contains(productLines, r.ProductLine) {
			continue
		}
		if !found || r.specificity() > best.specificity() {
			best, found = r, true
		}
	}
	return best, found
}

// MilestoneSide says whose a milestone is: the partner's or the vendor's.
type MilestoneSide string

// The two sides of a joint plan.
const (
	SidePartner MilestoneSide = "partner"
	SideVendor  MilestoneSide = "vendor"
)

// Valid reports whether s is partner or vendor.
func (s MilestoneSide) Valid() bool { return s == SidePartner || s == SideVendor }

// MilestoneOverdue reports whether a milestone due on day due (a date)
// and not done is overdue at now: from the start of the day after it.
func MilestoneOverdue(due, now time.Time, done bool) bool {
	return !done && !now.Before(MilestoneOverdueAt(due))
}

// MilestoneOverdueAt is the instant a milestone due on day due becomes
// overdue: midnight (UTC) ending its due day.
func MilestoneOverdueAt(due time.Time) time.Time {
	d := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, 1)
}

// MilestoneReminderAt is when a milestone's owner is reminded: days
// calendar days before the start of its due day (UTC).
func MilestoneReminderAt(due time.Time, days int) time.Time {
	d := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -days)
}
