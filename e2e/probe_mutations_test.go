package e2e

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// jsonPath leads into a JSON document: object keys (string) and array
// indices (int).
type jsonPath []any

// String names the path as the API's field errors do: customer.name,
// product_lines[0], accounts[0].name.
func (p jsonPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, s)
		}
	}
	return b.String()
}

func (p jsonPath) with(s any) jsonPath { return append(append(jsonPath{}, p...), s) }

// leaf is one value position of a request body, found from its schema in
// /openapi.json (or, inside a raw JSON document such as rules or policy,
// from the base body's own values).
type leaf struct {
	path jsonPath
	// typ: string, integer, number, boolean, array, object.
	typ string
	// schema is the position's JSON Schema (nil inside raw JSON).
	schema map[string]any
	// rawRoot > 0: the leaf lies in the raw JSON document path[:rawRoot].
	rawRoot int
}

// field is what a 422 about the leaf must name.
func (l leaf) field() string {
	if l.rawRoot > 0 {
		return l.path[:l.rawRoot].String()
	}
	return l.path.String()
}

// freeText: a string a person types, with no format, pattern or fixed set
// of values (the text rule is the only rule it has).
func (l leaf) freeText() bool {
	if l.typ != "string" || l.schema == nil {
		return l.typ == "string"
	}
	_, format := l.schema["format"]
	_, pattern := l.schema["pattern"]
	_, enum := l.schema["enum"]
	return !format && !pattern && !enum
}

// schemaWalker finds the leaves of request bodies in the served OpenAPI
// description.
type schemaWalker struct{ schemas map[string]any }

func newSchemaWalker(doc map[string]any) schemaWalker {
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	return schemaWalker{schemas: schemas}
}

func (w schemaWalker) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		s, _ = w.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
}

// required says whether the schema of a body requires any field (so that
// {} and an empty body are bad input).
func (w schemaWalker) required(s map[string]any) bool {
	req, _ := w.resolve(s)["required"].([]any)
	return len(req) > 0
}

// leaves lists every position of a body of schema s, filling raw JSON
// documents from base.
func (w schemaWalker) leaves(s map[string]any, base any) []leaf {
	var out []leaf
	var walk func(s map[string]any, path jsonPath, base any)
	walk = func(s map[string]any, path jsonPath, base any) {
		s = w.resolve(s)
		typ, _ := s["type"].(string)
		switch typ {
		case "object":
			if len(path) > 0 {
				out = append(out, leaf{path: path, typ: typ, schema: s})
			}
			props, _ := s["properties"].(map[string]any)
			bm, _ := base.(map[string]any)
			for _, k := range sortedKeys(props) {
				ps, _ := props[k].(map[string]any)
				walk(ps, path.with(k), bm[k])
			}
		case "array":
			out = append(out, leaf{path: path, typ: typ, schema: s})
			items, _ := s["items"].(map[string]any)
			var first any
			if bs, _ := base.([]any); len(bs) > 0 {
				first = bs[0]
			}
			walk(items, path.with(0), first)
		case "string", "integer", "number", "boolean":
			out = append(out, leaf{path: path, typ: typ, schema: s})
		case "":
			out = append(out, rawLeaves(path, base, len(path))...)
		}
	}
	walk(s, nil, base)
	return out
}

// rawLeaves lists the positions of a raw JSON value.
func rawLeaves(path jsonPath, v any, root int) []leaf {
	switch v := v.(type) {
	case map[string]any:
		var out []leaf
		for _, k := range sortedKeys(v) {
			out = append(out, rawLeaves(path.with(k), v[k], root)...)
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		return append([]leaf{{path: path, typ: "array", rawRoot: root}}, rawLeaves(path.with(0), v[0], root)...)
	case string:
		return []leaf{{path: path, typ: "string", rawRoot: root}}
	case float64:
		return []leaf{{path: path, typ: "number", rawRoot: root}}
	case bool:
		return []leaf{{path: path, typ: "boolean", rawRoot: root}}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// rawJSON is a value set into a body as the literal JSON it holds (for
// numbers no Go value can carry, such as 1e400).
type rawJSON string

// withValue returns a copy of base with the value at path replaced by v,
// making the objects and arrays on the way.
func withValue(base any, path jsonPath, v any) []byte {
	var doc any
	if err := json.Unmarshal(jsonBody(base), &doc); err != nil {
		panic(err)
	}
	const marker = "\u2063probe-raw\u2063"
	placed := v
	if _, isRaw := v.(rawJSON); isRaw {
		placed = marker
	}
	var set func(cur any, i int) any
	set = func(cur any, i int) any {
		if i == len(path) {
			return placed
		}
		switch k := path[i].(type) {
		case int:
			arr, _ := cur.([]any)
			for len(arr) <= k {
				arr = append(arr, nil)
			}
			arr[k] = set(arr[k], i+1)
			return arr
		default:
			m, _ := cur.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[k.(string)] = set(m[k.(string)], i+1)
			return m
		}
	}
	out := jsonBody(set(doc, 0))
	if raw, isRaw := v.(rawJSON); isRaw {
		out = []byte(strings.Replace(string(out), strconv.Quote(marker), string(raw), 1))
	}
	return out
}

// mutation is a value put at a leaf, and whether it is bad input there.
type mutation struct {
	name  string
	value any
	// names: the 422 must name the leaf's field.
	names bool
}

// badValues are values no API field takes at leaf l: the text rule's
// characters, the wrong JSON type, numbers out of range or not integers,
// impossible dates, malformed ids, too long, not among the allowed ones.
func badValues(l leaf) []mutation {
	wrongType := []mutation{{"wrong type: object", map[string]any{"a": 1}, false}}
	switch l.typ {
	case "string":
		out := []mutation{
			{"NUL", "x\u0000", true}, {"control character", "x\u0001y", true}, {"escape sequence", "x\u001b[31m", true},
			{"DEL", "x\u007fy", true}, {"C1 control", "x\u0085y", true},
			{"wrong type: number", 12345, false}, {"wrong type: bool", true, false},
		}
		if l.schema == nil {
			return out
		}
		switch l.schema["format"] {
		case "date":
			out = append(out, mutation{"impossible date", "2026-02-30", false}, mutation{"month 13", "2026-13-01", false},
				mutation{"not a date", "31/03/2027", false})
		case "uuid":
			out = append(out, mutation{"bad uuid", "not-a-uuid", false}, mutation{"uuid with NUL", "00000000-0000-0000-0000-00000000000\u0000", true})
		case "email":
			out = append(out, mutation{"bad e-mail", "not-an-address", false})
		}
		if n, ok := l.schema["maxLength"].(float64); ok {
			out = append(out, mutation{"too long", strings.Repeat("x", int(n)+1), false})
		}
		if _, ok := l.schema["enum"]; ok {
			out = append(out, mutation{"not among the values", "zz-none", false})
		}
		if _, ok := l.schema["pattern"]; ok {
			out = append(out, mutation{"bad code", "ZZ9", false})
		}
		return out
	case "integer", "number":
		out := []mutation{
			{"huge number", rawJSON("1e400"), false}, {"number as string", "1", false}, {"wrong type: bool", true, false},
			{"beyond int64", rawJSON("9223372036854775808"), false},
		}
		if l.typ == "integer" {
			out = append(out, mutation{"fraction", 1.5, false})
		}
		if l.schema == nil {
			return append(out, wrongType...)
		}
		if n, ok := l.schema["minimum"].(float64); ok && n >= 0 {
			out = append(out, mutation{"negative", -1, false}, mutation{"most negative", rawJSON("-9223372036854775808"), false})
		}
		if n, ok := l.schema["exclusiveMinimum"].(float64); ok && n >= 0 {
			out = append(out, mutation{"negative", -1, false}, mutation{"zero", 0, false})
		}
		if n, ok := l.schema["maximum"].(float64); ok {
			out = append(out, mutation{"above the maximum", rawJSON(strconv.FormatInt(int64(n)+1, 10)), false})
		}
		return append(out, wrongType...)
	case "boolean":
		return []mutation{{"bool as string", "yes", false}, {"bool as number", 1, false}}
	case "array":
		out := []mutation{{"object for an array", map[string]any{"a": 1}, false}, {"string for an array", "x", false}}
		if l.schema != nil {
			if n, ok := l.schema["maxItems"].(float64); ok {
				items := make([]string, int(n)+1)
				for i := range items {
					items[i] = fmt.Sprintf("item%d", i)
				}
				out = append(out, mutation{"too many items", items, false})
			}
		}
		return out
	case "object":
		return []mutation{{"array for an object", []any{1}, false}, {"string for an object", "x", false}}
	}
	return nil
}

// oddValues are values at the edge of what a leaf takes, which may be
// accepted: the answer must still never be a 5xx.
func oddValues(l leaf) []mutation {
	switch l.typ {
	case "string":
		out := []mutation{{"unicode", "Ünïcødé 🚀 עברית \u200b", false}, {"SQL", "'; DROP TABLE deals;--", false},
			{"replacement character", "\ufffd", false},
			{"no letters", "!!!", false}, {"line separator", "x\u2028y", false}, {"invalid UTF-8", rawJSON("\"a\xff\xfeb\""), false}}
		if l.schema == nil {
			return out
		}
		if l.schema["format"] == "date" {
			out = append(out, mutation{"year 1", "0001-01-01", false}, mutation{"1900", "1900-01-01", false},
				mutation{"year 9999", "9999-12-31", false}, mutation{"29 February", "2028-02-29", false})
		}
		if n, ok := l.schema["maxLength"].(float64); ok {
			out = append(out, mutation{"longest", strings.Repeat("y", int(n)), false})
		}
		return out
	case "integer", "number":
		out := []mutation{{"zero", 0, false}}
		if l.schema == nil {
			return append(out, mutation{"negative", -1, false}, mutation{"10^15", rawJSON("1000000000000000"), false},
				mutation{"int64 max", rawJSON("9223372036854775807"), false})
		}
		if _, ok := l.schema["minimum"]; !ok {
			if _, ok := l.schema["exclusiveMinimum"]; !ok {
				out = append(out, mutation{"negative", -1, false}, mutation{"most negative", rawJSON("-9223372036854775808"), false})
			}
		}
		if n, ok := l.schema["maximum"].(float64); ok {
			out = append(out, mutation{"the maximum", rawJSON(strconv.FormatInt(int64(n), 10)), false})
		} else {
			out = append(out, mutation{"int64 max", rawJSON("9223372036854775807"), false})
		}
		return out
	}
	return nil
}
