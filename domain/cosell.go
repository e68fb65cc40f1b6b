package domain

import (
	"slices"
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
// days after routing, and on the deadline the request escalates to the
// channel managers. A milestone's owner is reminded MilestoneReminderDays
// calendar days before it is due.
type CoSellPolicy struct {
	RespondWithin         int `json:"respond_within_business_days"`
	RemindAfter           int `json:"remind_after_business_days"`
	MilestoneReminderDays int `json:"milestone_reminder_days"`
}

// DefaultCoSellPolicy answers within 2 business days, reminds after 1,
// reminds milestone owners 2 days ahead.
func DefaultCoSellPolicy() CoSellPolicy {
	return CoSellPolicy{RespondWithin: 2, RemindAfter: 1, MilestoneReminderDays: 2}
}

// AddBusinessDays returns t moved n business days (Monday to Friday, in
// t's location) later, at the same time of day: Saturdays and Sundays are
// skipped, so Friday 10:00 + 1 is Monday 10:00, and Saturday 10:00 + 1 is
// Monday 10:00 too (the first business day after the weekend). Public
// holidays are not known. n <= 0 returns t.
func AddBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
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
