package web

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/go-playground/validator/v10"
)

// NewValidator returns the validator that names fields by their JSON names,
// so per-field errors use the paths clients send.
func NewValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	must(v.RegisterValidation("currency", func(fl validator.FieldLevel) bool {
		return domain.ValidCurrency(fl.Field().String())
	}))
	// Every text a client sends carries one of three rules (domain.TextProblem;
	// TestEveryTextFieldRefusesControlCharacters proves no field lacks one):
	// printable for single-line text (names, codes, domains), multiline for
	// reasons, notes, answers and questions, jsontext for raw JSON documents
	// stored as jsonb.
	must(v.RegisterValidation("printable", func(fl validator.FieldLevel) bool {
		return domain.TextProblem(fl.Field().String(), false) == ""
	}))
	must(v.RegisterValidation("multiline", func(fl validator.FieldLevel) bool {
		return domain.TextProblem(fl.Field().String(), true) == ""
	}))
	must(v.RegisterValidation("jsontext", func(fl validator.FieldLevel) bool {
		return domain.JSONTextProblem(fl.Field().Bytes()) == ""
	}))
	return v
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// FieldErrors turns validator errors into per-field messages a person can act on.
func FieldErrors(err error) []FieldError {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return []FieldError{{Field: "", Message: err.Error()}}
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		ns := fe.Namespace()
		if i := strings.IndexByte(ns, '.'); i >= 0 {
			ns = ns[i+1:] // drop the struct's own name
		}
		out = append(out, FieldError{Field: ns, Message: tagMessage(fe)})
	}
	return out
}

// MergeFieldErrors appends to errs those of more whose field has no error
// yet, so each field is reported once, with its most basic problem.
func MergeFieldErrors(errs, more []FieldError) []FieldError {
	for _, m := range more {
		dup := false
		for _, e := range errs {
			dup = dup || e.Field == m.Field
		}
		if !dup {
			errs = append(errs, m)
		}
	}
	return errs
}

func tagMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "required_with":
		return "is required with " + strings.ToLower(fe.Param())
	case "max":
		if fe.Kind() == reflect.Slice {
			return "must have at most " + fe.Param() + " items"
		}
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters"
		}
		return "must be at most " + fe.Param()
	case "min":
		if fe.Kind() == reflect.Slice {
			return "must have at least " + fe.Param() + " items"
		}
		return "must be at least " + fe.Param()
	case "gt":
		return "must be greater than " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "email":
		return "must be an e-mail address"
	case "iso3166_1_alpha2":
		return "must be an ISO 3166-1 alpha-2 country code such as US"
	case "currency":
		return "must be an ISO 4217 currency code such as USD"
	case "datetime":
		return "must be a date as YYYY-MM-DD"
	case "oneof":
		return "must be one of: " + fe.Param()
	case "printable", "multiline":
		if s, ok := fe.Value().(string); ok && domain.TextProblem(s, true) == domain.TextEncodingProblem {
			return domain.TextEncodingProblem
		}
		return domain.TextControlProblem
	case "jsontext":
		if raw, ok := fe.Value().(json.RawMessage); ok && domain.JSONTextProblem(raw) == domain.TextEncodingProblem {
			return domain.TextEncodingProblem
		}
		return domain.TextControlProblem
	default:
		return "is invalid (" + fe.Tag() + ")"
	}
}

// FieldErrorText says errs in one line, for a console message.
func FieldErrorText(errs []FieldError) string {
	var parts []string
	for _, e := range errs {
		parts = append(parts, strings.ReplaceAll(e.Field, "_", " ")+" "+e.Message)
	}
	return strings.Join(parts, "; ")
}
