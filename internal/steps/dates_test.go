package steps

import (
	"testing"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
)

// answer-info applies registration's expected-close rule (finding 6: it
// stored 1900-01-01), on the server's clock, at a month's last second.
func TestAnswerInfoDatesFollowRegistration(t *testing.T) {
	today := clock.Today(clock.Fixed(time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)))
	for date, ok := range map[string]bool{"1900-01-01": false, "2026-11-28": false, "2026-11-29": true, "2031-11-30": true, "2031-12-01": false} {
		d := date
		b := &infoAnswerBody{Answer: "ok"}
		b.Changes = &registrationChanges{ExpectedCloseDate: &d}
		_, errs := b.Arg(domain.Actor{}, today)
		if (len(errs) == 0) != ok {
			t.Errorf("answer-info expected_close_date %s: errors %v, want ok=%v", date, errs, ok)
		}
		req := CreateDealRequest{ExpectedCloseDate: date}
		_, regErrs := req.Registration(today)
		closeErr := false
		for _, e := range regErrs {
			closeErr = closeErr || e.Field == "expected_close_date"
		}
		if closeErr == ok {
			t.Errorf("registration expected_close_date %s: errors %v, want ok=%v", date, regErrs, ok)
		}
	}
}
