package steps

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/go-playground/validator/v10"
)

// ProgramCode is what an incentive program's code may be: lower-case
// letters, digits and dashes, starting with a letter or digit (it names
// the program's schedule).
var ProgramCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// IncentiveProgramRequest is a new incentive program and its first rules,
// the body of POST /v1/incentive-programs and the console's program form.
type IncentiveProgramRequest struct {
	Code      string          `json:"code" validate:"required,max=63,printable"`
	Name      string          `json:"name" validate:"required,max=200,printable"`
	Kind      string          `json:"kind" validate:"required,oneof=rebate referral spiff"`
	Currency  string          `json:"currency" validate:"required,currency"`
	Period    string          `json:"period" validate:"required,oneof=month quarter"`
	GraceDays int             `json:"grace_days" validate:"gte=0,lte=27"`
	StartsOn  string          `json:"starts_on" validate:"required,datetime=2006-01-02"`
	Rules     json.RawMessage `json:"rules" validate:"required,jsontext"`
}

// ProgramVersionRequest is a program's new rules, the body of POST
// /v1/incentive-programs/{id}/versions and the console's new-version form.
type ProgramVersionRequest struct {
	Rules  json.RawMessage `json:"rules" validate:"required,jsontext"`
	Reason string          `json:"reason" validate:"required,max=2000,multiline"`
}

// Normalize trims and cases what people type before validation.
func (r *IncentiveProgramRequest) Normalize() {
	r.Code, r.Name = strings.ToLower(strings.TrimSpace(r.Code)), strings.TrimSpace(r.Name)
	r.Currency = strings.ToUpper(strings.TrimSpace(r.Currency))
}

// Check validates the request (its tags, its code, its rules for its
// kind) and returns the rules as they are stored (CanonicalRules), or
// what is wrong, per field.
func (r *IncentiveProgramRequest) Check(v *validator.Validate) ([]byte, domain.IncentiveRules, []web.FieldError) {
	if err := v.Struct(r); err != nil {
		return nil, domain.IncentiveRules{}, web.FieldErrors(err)
	}
	var errs []web.FieldError
	if !ProgramCode.MatchString(r.Code) {
		errs = append(errs, web.FieldError{Field: "code", Message: "lower-case letters, digits and dashes, starting with a letter or digit"})
	}
	rules, parsed, more := CanonicalRules(domain.IncentiveKind(r.Kind), r.Rules)
	return rules, parsed, append(errs, more...)
}

// Check validates the request's tags and its rules for a program of kind
// k, as Check of IncentiveProgramRequest.
func (r *ProgramVersionRequest) Check(v *validator.Validate, k domain.IncentiveKind) ([]byte, domain.IncentiveRules, []web.FieldError) {
	r.Reason = strings.TrimSpace(r.Reason)
	if err := v.Struct(r); err != nil {
		return nil, domain.IncentiveRules{}, web.FieldErrors(err)
	}
	return CanonicalRules(k, r.Rules)
}

// CanonicalRules is domain.CanonicalIncentiveRules with its problems
// named per field ("rules.tiers[1].above"), so a form can show each
// beside its input.
func CanonicalRules(k domain.IncentiveKind, raw []byte) ([]byte, domain.IncentiveRules, []web.FieldError) {
	out, parsed, err := domain.CanonicalIncentiveRules(k, raw)
	if err == nil {
		return out, parsed, nil
	}
	return nil, domain.IncentiveRules{}, RulesFieldErrors(err)
}

// rulesField is a rules field's path as domain's validation names it.
var rulesField = regexp.MustCompile(`^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*$`)

// RulesFieldErrors splits a rules error ("rules: mode: must be …; tiers:
// …") into one field error per problem.
func RulesFieldErrors(err error) []web.FieldError {
	text := strings.TrimPrefix(err.Error(), "rules: ")
	var out []web.FieldError
	for _, part := range strings.Split(text, "; ") {
		field, msg, ok := strings.Cut(part, ": ")
		if !ok || field == "json" || !rulesField.MatchString(field) {
			return []web.FieldError{{Field: "rules", Message: text}}
		}
		out = append(out, web.FieldError{Field: "rules." + field, Message: msg})
	}
	return out
}

// CatalogLineErrors names the product lines that are not the catalog's
// (none when there is no catalog yet: any line may then be typed).
func CatalogLineErrors(lines, catalog []string) []web.FieldError {
	if len(catalog) == 0 {
		return nil
	}
	var out []web.FieldError
	for i, l := range lines {
		if !slices.Contains(catalog, l) {
			out = append(out, web.FieldError{Field: fmt.Sprintf("rules.product_lines[%d]", i),
				Message: fmt.Sprintf("%q is not a product line of the catalog", l)})
		}
	}
	return out
}
