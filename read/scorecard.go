package read

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// Filter is what the dashboard and the scorecards read: a period of whole
// months and, when Program is set, one partner program's deals alone.
type Filter struct {
	Period  Period
	Program uuid.NullUUID
}

// ParseFilter reads a Filter from its query values (from, to: "2026-01";
// program_id), naming each field that is wrong; a program that does not
// exist is wrong too. The error is the database's.
func (rd *Reader) ParseFilter(ctx context.Context, from, to, program string, now time.Time) (Filter, []web.FieldError, error) {
	p, errs := ParsePeriod(from, to, now)
	f := Filter{Period: p}
	if program == "" {
		return f, errs, nil
	}
	id, err := uuid.Parse(program)
	if err != nil || len(program) != 36 {
		return f, append(errs, web.FieldError{Field: "program_id", Message: "must be a program's id"}), nil
	}
	if _, err := rd.q.ProgramGet(ctx, id); db.IsNotFound(err) {
		return f, append(errs, web.FieldError{Field: "program_id", Message: "no such program"}), nil
	} else if err != nil {
		return f, errs, err
	}
	f.Program = uuid.NullUUID{UUID: id, Valid: true}
	return f, errs, nil
}

// Scorecard is one partner's record over a period: its registrations and
// how they fared, how fast the vendor answered them, what it won and was
// paid, and what it did with the leads offered to it.
type Scorecard struct {
	PartnerID uuid.UUID `json:"partner_id"`
	Name      string    `json:"name"`
	Tier      string    `json:"tier"`
	// From and To are the period's first and last months ("2026-01").
	From  string         `json:"from"`
	To    string         `json:"to"`
	Deals ScorecardDeals `json:"deals"`
	// ResponseTimes are in seconds.
	ResponseTimes ResponseTimes `json:"response_times"`
	// WonValue is the closed-won value of the period's registrations per
	// currency, in minor units.
	WonValue map[string]int64 `json:"won_value"`
	// Paid is what incentive cycles paid the partner in the period (payouts
	// posted), per currency in minor units; Payouts counts them. Incentive
	// programs are not partner programs: the program filter leaves them be.
	Paid    map[string]int64 `json:"paid"`
	Payouts int              `json:"payouts"`
	// Leads is the lead scorecard of the offers made in the period (nil
	// when none was).
	Leads *LeadScorecardLine `json:"leads"`
}

// ScorecardDeals counts the period's registrations: Approved reached an
// approval (whatever came after), Rejected were rejected without one, Won
// and Lost are closed so now. ApprovalRate is approved / (approved +
// rejected) and WinRate won / (won + lost); nil when nothing was decided.
type ScorecardDeals struct {
	Registered   int      `json:"registered"`
	Approved     int      `json:"approved"`
	Rejected     int      `json:"rejected"`
	Won          int      `json:"won"`
	Lost         int      `json:"lost"`
	ApprovalRate *float64 `json:"approval_rate"`
	WinRate      *float64 `json:"win_rate"`
}

// ResponseTimes are the median and 90th percentile of the time from
// submission to the vendor's first decision (an approval, a rejection or an
// information request) over Decided deals, and from approval to the win
// over WonAfterApproval deals, in seconds; nil with nothing to measure.
type ResponseTimes struct {
	Decided              int      `json:"decided"`
	DecisionMedianSecond *float64 `json:"decision_median_seconds"`
	DecisionP90Second    *float64 `json:"decision_p90_seconds"`
	WonAfterApproval     int      `json:"won_after_approval"`
	WinMedianSecond      *float64 `json:"approval_to_win_median_seconds"`
	WinP90Second         *float64 `json:"approval_to_win_p90_seconds"`
}

// LeadScorecardLine is one partner's lead scorecard (LeadScorecard): the
// SQL counts and the rates derived from them.
type LeadScorecardLine struct {
	dbq.LeadScorecardRow
	// AcceptanceRate is accepted / offered; ConversionRate is won /
	// accepted (0 when nothing to divide).
	AcceptanceRate float64 `json:"acceptance_rate"`
	ConversionRate float64 `json:"conversion_rate"`
}

// LeadScorecard reads the lead scorecard of every partner p selects (a
// partner: its own line, scoped in SQL), with its rates.
func (rd *Reader) LeadScorecard(ctx context.Context, p dbq.LeadScorecardParams) ([]LeadScorecardLine, error) {
	rows, err := rd.q.LeadScorecard(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]LeadScorecardLine, 0, len(rows))
	for _, r := range rows {
		l := LeadScorecardLine{LeadScorecardRow: r}
		if r.Offered > 0 {
			l.AcceptanceRate = float64(r.Accepted) / float64(r.Offered)
		}
		if r.Accepted > 0 {
			l.ConversionRate = float64(r.Won) / float64(r.Accepted)
		}
		out = append(out, l)
	}
	return out, nil
}

// Scorecards reads the scorecards of f's period and program: of partner
// alone when it is set, else of every partner; a partner caller (scope)
// reads only its own organization's, scoped in SQL.
func (rd *Reader) Scorecards(ctx context.Context, scope, partner uuid.NullUUID, f Filter) ([]Scorecard, error) {
	from, end := f.Period.From, f.Period.End()
	rows, err := rd.q.PartnerScorecards(ctx, dbq.PartnerScorecardsParams{FromDay: from, ToDay: end, ProgramID: f.Program,
		ScopePartnerID: scope, PartnerID: partner})
	if err != nil || len(rows) == 0 {
		return []Scorecard{}, err
	}
	paid, err := rd.q.PartnerPayouts(ctx, dbq.PartnerPayoutsParams{FromDay: from, ToDay: end, ScopePartnerID: scope, PartnerID: partner})
	if err != nil {
		return nil, err
	}
	leads, err := rd.LeadScorecard(ctx, dbq.LeadScorecardParams{FromAt: pgtype.Timestamptz{Time: from, Valid: true},
		ToAt: pgtype.Timestamptz{Time: end, Valid: true}, ProgramID: f.Program, ScopePartnerID: scope, PartnerID: partner})
	if err != nil {
		return nil, err
	}
	byPartner := map[uuid.UUID]*LeadScorecardLine{}
	for i := range leads {
		byPartner[leads[i].PartnerID] = &leads[i]
	}
	out := make([]Scorecard, 0, len(rows))
	for _, r := range rows {
		s := ScorecardOf(r, f.Period)
		for _, p := range paid {
			if p.PartnerID == r.PartnerID {
				s.Paid[p.Currency] += p.Paid
				s.Payouts += int(p.Payouts)
			}
		}
		s.Leads = byPartner[r.PartnerID]
		out = append(out, s)
	}
	return out, nil
}

// ScorecardOf is a scorecard row with its rates (without payouts and
// leads, which other queries read).
func ScorecardOf(r dbq.PartnerScorecardsRow, p Period) Scorecard {
	s := Scorecard{PartnerID: r.PartnerID, Name: r.Name, Tier: r.Tier, From: p.FromText(), To: p.ToText(),
		WonValue: map[string]int64{}, Paid: map[string]int64{},
		Deals: ScorecardDeals{Registered: int(r.Registered), Approved: int(r.Approved), Rejected: int(r.Rejected),
			Won: int(r.Won), Lost: int(r.Lost), ApprovalRate: ratio(r.Approved, r.Approved+r.Rejected), WinRate: ratio(r.Won, r.Won+r.Lost)},
		ResponseTimes: ResponseTimes{Decided: int(r.Decided), WonAfterApproval: int(r.WonAfterApproval)}}
	if r.Decided > 0 {
		s.ResponseTimes.DecisionMedianSecond, s.ResponseTimes.DecisionP90Second = &r.DecisionMedianSecs, &r.DecisionP90Secs
	}
	if r.WonAfterApproval > 0 {
		s.ResponseTimes.WinMedianSecond, s.ResponseTimes.WinP90Second = &r.WinMedianSecs, &r.WinP90Secs
	}
	_ = json.Unmarshal(r.WonValue, &s.WonValue)
	return s
}

// ratio is n / d, or nil when d is 0.
func ratio(n, d int32) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}
