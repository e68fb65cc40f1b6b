package steps

import (
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/deal"
)

// Body is the body of a human step on a deal: validated by its tags
// (web.NewValidator), then turned into the workflow update's argument.
type Body interface {
	// Arg returns the update argument for actor, on the server's day, or
	// per-field errors.
	Arg(actor domain.Actor, today time.Time) (any, []web.FieldError)
}

// Normalizer is a body that puts what people type in canonical form
// (trimmed, codes upper-cased) before it is validated.
type Normalizer interface{ Normalize() }

// reasonBody: approve, withdraw (reason optional).
type reasonBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (b *reasonBody) Arg(actor domain.Actor, _ time.Time) (any, []web.FieldError) {
	return deal.Decision{Actor: actor, Reason: strings.TrimSpace(b.Reason)}, nil
}

// requiredReasonBody: reject, request an extension (reason required).
type requiredReasonBody struct {
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *requiredReasonBody) Arg(actor domain.Actor, _ time.Time) (any, []web.FieldError) {
	return deal.Decision{Actor: actor, Reason: strings.TrimSpace(b.Reason)}, nil
}

type infoRequestBody struct {
	Question string `json:"question" validate:"required,max=2000,multiline"`
}

func (b *infoRequestBody) Arg(actor domain.Actor, _ time.Time) (any, []web.FieldError) {
	return deal.InfoRequest{Actor: actor, Question: strings.TrimSpace(b.Question)}, nil
}

type infoAnswerBody struct {
	Answer  string               `json:"answer" validate:"required,max=2000,multiline"`
	Changes *registrationChanges `json:"changes"`
}

// registrationChanges are the fields a partner may edit when answering an
// information request.
type registrationChanges struct {
	Contact *struct {
		Name  string `json:"name" validate:"required,max=200,printable"`
		Email string `json:"email" validate:"required,max=254,email"`
	} `json:"contact"`
	ProductLines      []string `json:"product_lines" validate:"omitempty,min=1,max=20,dive,required,max=100,printable"`
	Amount            *int64   `json:"amount" validate:"omitempty,gt=0,lte=1000000000000000"`
	Currency          *string  `json:"currency" validate:"omitempty,currency"`
	ExpectedCloseDate *string  `json:"expected_close_date" validate:"omitempty,datetime=2006-01-02"`
	Notes             *string  `json:"notes" validate:"omitempty,max=5000,multiline"`
}

func (b *infoAnswerBody) Normalize() {
	if b.Changes != nil && b.Changes.Currency != nil {
		up := strings.ToUpper(strings.TrimSpace(*b.Changes.Currency))
		b.Changes.Currency = &up
	}
}

func (b *infoAnswerBody) Arg(actor domain.Actor, today time.Time) (any, []web.FieldError) {
	a := deal.InfoAnswer{Actor: actor, Answer: strings.TrimSpace(b.Answer)}
	if c := b.Changes; c != nil {
		if c.ExpectedCloseDate != nil {
			if d, err := time.Parse(time.DateOnly, *c.ExpectedCloseDate); err == nil {
				if why := domain.ExpectedCloseProblem(d, today); why != "" {
					return nil, []web.FieldError{{Field: "changes.expected_close_date", Message: why}}
				}
			}
		}
		ch := &deal.RegistrationChanges{Amount: c.Amount, Currency: c.Currency,
			ExpectedCloseDate: c.ExpectedCloseDate, Notes: c.Notes}
		if c.Contact != nil {
			ct := ContactOf(c.Contact.Name, c.Contact.Email)
			ch.Contact = &ct
		}
		if c.ProductLines != nil {
			ch.ProductLines = domain.NormalizeProductLines(c.ProductLines)
		}
		a.Changes = ch
	}
	return a, nil
}

type extensionDecisionBody struct {
	Grant  *bool  `json:"grant" validate:"required"`
	Reason string `json:"reason" validate:"max=2000,multiline"`
}

func (b *extensionDecisionBody) Arg(actor domain.Actor, _ time.Time) (any, []web.FieldError) {
	if !*b.Grant && strings.TrimSpace(b.Reason) == "" {
		return nil, []web.FieldError{{Field: "reason", Message: "is required when denying"}}
	}
	return deal.ExtensionDecision{Actor: actor, Grant: *b.Grant, Reason: strings.TrimSpace(b.Reason)}, nil
}

type closeWonBody struct {
	Amount       int64    `json:"amount" validate:"required,gt=0,lte=1000000000000000" form:"money"`
	Currency     string   `json:"currency" validate:"required,currency"`
	ProductLines []string `json:"product_lines" validate:"required,min=1,max=20,dive,required,max=100,printable"`
	Units        int64    `json:"units" validate:"gte=0,lte=1000000000"`
	CloseDate    string   `json:"close_date" validate:"required,datetime=2006-01-02"`
}

func (b *closeWonBody) Normalize() { b.Currency = strings.ToUpper(strings.TrimSpace(b.Currency)) }

func (b *closeWonBody) Arg(actor domain.Actor, today time.Time) (any, []web.FieldError) {
	if errs := notAfterTomorrow("close_date", b.CloseDate, today); errs != nil {
		return nil, errs
	}
	return deal.CloseWon{Actor: actor, Amount: b.Amount, Currency: b.Currency,
		ProductLines: domain.NormalizeProductLines(b.ProductLines), Units: b.Units, CloseDate: b.CloseDate}, nil
}

type closeLostBody struct {
	Reason    string `json:"reason" validate:"max=2000,multiline"`
	CloseDate string `json:"close_date" validate:"omitempty,datetime=2006-01-02"`
}

func (b *closeLostBody) Arg(actor domain.Actor, today time.Time) (any, []web.FieldError) {
	date := b.CloseDate
	if date == "" {
		date = today.Format(time.DateOnly)
	}
	if errs := notAfterTomorrow("close_date", date, today); errs != nil {
		return nil, errs
	}
	return deal.CloseLost{Actor: actor, Reason: strings.TrimSpace(b.Reason), CloseDate: date}, nil
}

type resolveConflictBody struct {
	Outcome string `json:"outcome" validate:"required,oneof=award not_conflict duplicate direct_sales proceed reject"`
	Reason  string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *resolveConflictBody) Arg(actor domain.Actor, _ time.Time) (any, []web.FieldError) {
	return deal.ConflictResolution{Actor: actor, Outcome: b.Outcome, Reason: strings.TrimSpace(b.Reason)}, nil
}

type correctionBody struct {
	Amount *int64 `json:"amount" validate:"required,gte=0,lte=1000000000000000" form:"money"`
	Reason string `json:"reason" validate:"required,max=2000,multiline"`
}

func (b *correctionBody) Arg(actor domain.Actor, _ time.Time) (any, []web.FieldError) {
	return deal.OutcomeCorrection{Actor: actor, Amount: *b.Amount, Reason: strings.TrimSpace(b.Reason)}, nil
}

// correctionDecisionBody approves or denies a partner's upward correction
// awaiting review; a denial needs a reason.
type correctionDecisionBody struct {
	Approve *bool  `json:"approve" validate:"required"`
	Reason  string `json:"reason" validate:"max=2000,multiline"`
}

func (b *correctionDecisionBody) Arg(actor domain.Actor, _ time.Time) (any, []web.FieldError) {
	if !*b.Approve && strings.TrimSpace(b.Reason) == "" {
		return nil, []web.FieldError{{Field: "reason", Message: "is required when denying"}}
	}
	return deal.CorrectionDecision{Actor: actor, Approve: *b.Approve, Reason: strings.TrimSpace(b.Reason)}, nil
}

// notAfterTomorrow refuses a date in the future (a day's grace for time zones).
func notAfterTomorrow(field, date string, today time.Time) []web.FieldError {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return []web.FieldError{{Field: field, Message: "must be a date as YYYY-MM-DD"}}
	}
	if why := domain.CloseDateProblem(d, today, time.Time{}); why != "" {
		return []web.FieldError{{Field: field, Message: why}}
	}
	return nil
}
