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

	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
)

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
		web.Fail(c, http.StatusRequestEntityTooLarge, web.ProblemTooLarge, fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit))
		return false
	case err != nil:
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "could not read the request body")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return true
		}
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "a JSON object is required in the request body")
		return false
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		web.Fail(c, http.StatusUnsupportedMediaType, web.ProblemMediaType, "send the body as application/json")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		decodeProblem(c, err)
		return false
	}
	if dec.More() {
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "the body must hold exactly one JSON object")
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
			web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "the body must be a JSON object")
			return
		}
		web.ValidationProblem(c, []web.FieldError{{Field: field, Message: "must be " + jsonKind(typeErr.Type)}})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		web.ValidationProblem(c, []web.FieldError{{Field: name, Message: "is not a known field"}})
	case errors.As(err, &syntaxErr):
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, fmt.Sprintf("invalid JSON at byte %d: %v", syntaxErr.Offset, err))
	case errors.Is(err, io.ErrUnexpectedEOF):
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "the JSON body ends too early")
	default:
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "invalid JSON body")
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
