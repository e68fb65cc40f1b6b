package domain

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rule every text a person sends shares, in one place so the API, the
// console and the CRM imports cannot drift apart. PostgreSQL refuses a NUL
// in text and jsonb, and other control characters have no business in a
// name or a reason: refused at the door, they can never reach a workflow
// whose recording would fail on them.

// Messages of TextProblem.
const (
	TextControlProblem  = "must not contain control characters"
	TextEncodingProblem = "must be valid UTF-8 text"
)

// TextProblem says why s cannot be stored as text a person typed ("" when
// it can): it is valid UTF-8 without control characters (C0, DEL and C1).
// Multi-line text (reasons, notes, answers) may break lines with a line
// feed or CR LF and hold tabs; single-line text (names, codes) may not.
func TextProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return TextEncodingProblem
	}
	for i, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		if multiline && (r == '\n' || r == '\t' || r == '\r' && strings.HasPrefix(s[i+1:], "\n")) {
			continue
		}
		return TextControlProblem
	}
	return ""
}

// JSONTextProblem applies TextProblem (single-line) to every string and
// object key of a JSON document, such as a program's policy or rules, which
// are stored as jsonb ("" when all are fine or raw is not JSON, which the
// document's own parser reports).
func JSONTextProblem(raw []byte) string {
	if !utf8.Valid(raw) {
		return TextEncodingProblem
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return ""
	}
	var walk func(v any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case string:
			return TextProblem(x, false)
		case []any:
			for _, e := range x {
				if p := walk(e); p != "" {
					return p
				}
			}
		case map[string]any:
			for k, e := range x {
				if p := TextProblem(k, false); p != "" {
					return p
				}
				if p := walk(e); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(v)
}
