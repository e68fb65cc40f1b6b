package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
)

// newValidator returns a validator that names fields by their JSON names,
// so per-field errors use the paths clients send.
func newValidator() *validator.Validate {
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

// decodeJSON reads the request body into dst strictly: JSON only, one
// object, no unknown fields, no more than the configured size. It answers
// the client itself and returns false when the body is unusable.
func (s *Server) decodeJSON(c *gin.Context, dst any, allowEmpty bool) bool {
	return s.decodeJSONLimit(c, dst, allowEmpty, s.cfg.MaxBodyBytes)
}

// decodeJSONLimit is decodeJSON with a body limit of its own (bulk imports).
func (s *Server) decodeJSONLimit(c *gin.Context, dst any, allowEmpty bool, limit int64) bool {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		problem(c, http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit))
		return false
	case err != nil:
		problem(c, http.StatusBadRequest, ProblemMalformed, "could not read the request body")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return true
		}
		problem(c, http.StatusBadRequest, ProblemMalformed, "a JSON object is required in the request body")
		return false
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		problem(c, http.StatusUnsupportedMediaType, ProblemMediaType, "send the body as application/json")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		decodeProblem(c, err)
		return false
	}
	if dec.More() {
		problem(c, http.StatusBadRequest, ProblemMalformed, "the body must hold exactly one JSON object")
		return false
	}
	return true
}

// decodeProblem answers a JSON decoding error: wrong types and unknown
// fields are per-field errors (422); broken JSON is malformed (400).
func decodeProblem(c *gin.Context, err error) {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			problem(c, http.StatusBadRequest, ProblemMalformed, "the body must be a JSON object")
			return
		}
		validationProblem(c, []FieldError{{Field: field, Message: "must be " + jsonKind(typeErr.Type)}})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		validationProblem(c, []FieldError{{Field: name, Message: "is not a known field"}})
	case errors.As(err, &syntaxErr):
		problem(c, http.StatusBadRequest, ProblemMalformed, fmt.Sprintf("invalid JSON at byte %d: %v", syntaxErr.Offset, err))
	case errors.Is(err, io.ErrUnexpectedEOF):
		problem(c, http.StatusBadRequest, ProblemMalformed, "the JSON body ends too early")
	default:
		problem(c, http.StatusBadRequest, ProblemMalformed, "invalid JSON body")
	}
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// fieldErrors turns validator errors into per-field messages a person can act on.
func fieldErrors(err error) []FieldError {
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

// mergeFieldErrors appends to errs those of more whose field has no error
// yet, so each field is reported once, with its most basic problem.
func mergeFieldErrors(errs, more []FieldError) []FieldError {
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
