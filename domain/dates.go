package domain

import "time"

// The date rules every request that carries a business date shares, in one
// place so registration, answers to information requests and outcomes
// cannot drift apart. today is the UTC day of the caller's clock; each rule
// allows a day's grace for callers in time zones behind or ahead of UTC.

// ExpectedCloseProblem says why day cannot be a deal's expected close date
// on today ("" when it can): it lies between yesterday and five years ahead.
func ExpectedCloseProblem(day, today time.Time) string {
	switch {
	case day.Before(today.AddDate(0, 0, -1)):
		return "must not be in the past"
	case day.After(today.AddDate(5, 0, 0)):
		return "must be within five years"
	}
	return ""
}

// CloseDateProblem says why day cannot be the date a deal closed, reported
// on today for a registration submitted at submitted ("" when it can): not
// in the future, and not before the registration's submission day (a deal
// cannot have closed before it was registered; zero submitted skips that).
func CloseDateProblem(day, today, submitted time.Time) string {
	if day.After(today.AddDate(0, 0, 1)) {
		return "must not be in the future"
	}
	if !submitted.IsZero() {
		y, m, d := submitted.UTC().Date()
		if first := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1); day.Before(first) {
			return "must not be before the registration was submitted (" + submitted.UTC().Format(time.DateOnly) + ")"
		}
	}
	return ""
}
