package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/internal/web"
)

// textField is one string a client can send in a request body: its JSON
// path as field errors name it, and how to set it on a fresh body.
type textField struct {
	path string
	// multiline: the field's tags allow line breaks (reasons, notes).
	multiline bool
	set       func(body any, v string)
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// textFields walks a request type and returns every string field in it,
// however deep: in nested and pointed-to structs, behind pointers, as the
// elements of a slice, and inside raw JSON.
func textFields(t reflect.Type) []textField {
	var out []textField
	var walk func(t reflect.Type, path string, get func(reflect.Value) reflect.Value, tags string)
	walk = func(t reflect.Type, path string, get func(reflect.Value) reflect.Value, tags string) {
		multiline := strings.Contains(tags, "multiline")
		switch {
		case t == rawMessageType:
			out = append(out, textField{path, multiline, func(b any, v string) {
				raw, _ := json.Marshal(map[string]string{"k": v})
				get(reflect.ValueOf(b).Elem()).Set(reflect.ValueOf(json.RawMessage(raw)))
			}})
		case t.Kind() == reflect.String:
			out = append(out, textField{path, multiline, func(b any, v string) { get(reflect.ValueOf(b).Elem()).SetString(v) }})
		case t.Kind() == reflect.Pointer:
			walk(t.Elem(), path, func(v reflect.Value) reflect.Value {
				p := get(v)
				if p.IsNil() {
					p.Set(reflect.New(t.Elem()))
				}
				return p.Elem()
			}, tags)
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
			out = append(out, textField{path + "[0]", multiline, func(b any, v string) {
				get(reflect.ValueOf(b).Elem()).Set(reflect.ValueOf([]string{v}).Convert(t))
			}})
		case t.Kind() == reflect.Struct:
			for i := range t.NumField() {
				f := t.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if !f.IsExported() || name == "-" {
					continue
				}
				if path != "" {
					name = path + "." + name
				}
				walk(f.Type, name, func(v reflect.Value) reflect.Value { return get(v).Field(i) }, f.Tag.Get("validate"))
			}
		}
	}
	walk(t, "", func(v reflect.Value) reflect.Value { return v }, "")
	return out
}

// Every string of every request body (the requestTypes the fuzz target
// also covers: each deal step of the dealSteps table, cycles, programs,
// conflict checks, registrations) refuses NUL and other control characters
// with a field error that names it; single-line fields refuse line breaks
// too, and multi-line ones (reasons, notes, answers, questions) allow
// them. The console validates the same types with the same validator, so a
// field added later without a text rule fails here (finding 1 of issue 12:
// a NUL in a reason blocked an incentive cycle).
func TestEveryTextFieldRefusesControlCharacters(t *testing.T) {
	v := web.NewValidator()
	errorFor := func(body any, path string) string {
		err := v.Struct(body)
		if err == nil {
			return ""
		}
		for _, fe := range web.FieldErrors(err) {
			if fe.Field == path || strings.HasPrefix(fe.Field, path+".") {
				return fe.Message
			}
		}
		return ""
	}
	n := 0
	for name, newBody := range requestTypes() {
		fields := textFields(reflect.TypeOf(newBody()).Elem())
		for _, f := range fields {
			n++
			for _, bad := range []string{"x\u0000", "x\u0001y", "\u007f", "x\u0085", "x\ry"} {
				body := newBody()
				f.set(body, bad)
				if msg := errorFor(body, f.path); msg == "" {
					t.Errorf("%s: %s accepts %q", name, f.path, bad)
				}
			}
			body := newBody()
			f.set(body, "x\u0000")
			if tags := fieldTags(body, f.path); strings.Contains(tags, "printable") || strings.Contains(tags, "multiline") {
				if msg := errorFor(body, f.path); msg != "must not contain control characters" {
					t.Errorf("%s: %s says %q for a NUL", name, f.path, msg)
				}
			}
			body = newBody()
			f.set(body, "two\nlines")
			switch msg := errorFor(body, f.path); {
			case f.multiline && msg != "":
				t.Errorf("%s: multi-line %s refuses a line break: %s", name, f.path, msg)
			case !f.multiline && msg == "":
				t.Errorf("%s: single-line %s accepts a line break", name, f.path)
			}
			if f.multiline {
				body = newBody()
				f.set(body, "a\tb\r\nc")
				if msg := errorFor(body, f.path); msg != "" {
					t.Errorf("%s: multi-line %s refuses a tab or CR LF: %s", name, f.path, msg)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("walked only %d text fields; the walk is broken", n)
	}
}

// fieldTags returns the validate tags of the field at a JSON path of body.
func fieldTags(body any, path string) string {
	t := reflect.TypeOf(body).Elem()
	tags := ""
	for _, part := range strings.Split(strings.TrimSuffix(path, "[0]"), ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == part {
				t, tags = f.Type, f.Tag.Get("validate")
				break
			}
		}
	}
	return tags
}
