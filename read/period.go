package read

import (
	"time"

	"github.com/dealflow/dealflow/internal/web"
)

// monthLayout is how a period's months are written in a query string and
// on the page: "2026-03".
const monthLayout = "2006-01"

// Period is a run of whole months (UTC) that the dashboard and the
// scorecards read: From and To are the first days of its first and last
// months, both included.
type Period struct {
	From, To time.Time
}

// LastYear is the twelve months up to and including now's month: the
// period when none is asked for.
func LastYear(now time.Time) Period {
	to := MonthOf(now)
	return Period{From: to.AddDate(0, -11, 0), To: to}
}

// End is the first instant after the period (the first day of the month
// after To).
func (p Period) End() time.Time { return p.To.AddDate(0, 1, 0) }

// FromText and ToText are the period's months as a query string writes
// them.
func (p Period) FromText() string { return p.From.Format(monthLayout) }

// ToText is the period's last month as a query string writes it.
func (p Period) ToText() string { return p.To.Format(monthLayout) }

// maxPeriodMonths bounds a period: ten years of months.
const maxPeriodMonths = 120

// ParsePeriod reads a period from its query values from and to ("2026-01"
// each; either may be empty, and then the last twelve months up to now's
// month, or to, or twelve from from, fill in). It names the field that is
// wrong: not a month, to before from, or more than ten years.
func ParsePeriod(from, to string, now time.Time) (Period, []web.FieldError) {
	p := LastYear(now)
	var errs []web.FieldError
	parse := func(field, v string) (time.Time, bool) {
		t, err := time.Parse(monthLayout, v)
		if err != nil || len(v) != len(monthLayout) || t.Year() < 2000 || t.Year() > 2999 {
			errs = append(errs, web.FieldError{Field: field, Message: "must be a month written as YYYY-MM (2000-01 to 2999-12)"})
			return t, false
		}
		return t, true
	}
	fromOK, toOK := false, false
	if from != "" {
		p.From, fromOK = parse("from", from)
	}
	if to != "" {
		p.To, toOK = parse("to", to)
	}
	if len(errs) > 0 {
		return p, errs
	}
	switch {
	case fromOK && !toOK:
		p.To = p.From.AddDate(0, 11, 0)
	case toOK && !fromOK:
		p.From = p.To.AddDate(0, -11, 0)
	}
	months := monthsBetween(p.From, p.To) + 1
	switch {
	case months < 1:
		errs = append(errs, web.FieldError{Field: "to", Message: "must not be before from"})
	case months > maxPeriodMonths:
		errs = append(errs, web.FieldError{Field: "to", Message: "must be at most ten years after from"})
	}
	return p, errs
}
