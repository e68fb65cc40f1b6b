package domain

import "testing"

func TestTextProblem(t *testing.T) {
	for _, c := range []struct {
		in            string
		single, multi string
	}{
		{"Acme Corp", "", ""},
		{"Société Générale — 東京", "", ""},
		{"", "", ""},
		{"x\u0000", TextControlProblem, TextControlProblem},
		{"a\u0001b", TextControlProblem, TextControlProblem},
		{"\u007f", TextControlProblem, TextControlProblem},
		{"x\u0085", TextControlProblem, TextControlProblem},
		{"two\nlines", TextControlProblem, ""},
		{"tab\there", TextControlProblem, ""},
		{"crlf\r\nline", TextControlProblem, ""},
		{"lone\rcr", TextControlProblem, TextControlProblem},
		{"end\r", TextControlProblem, TextControlProblem},
		{"bad \xff utf8", TextEncodingProblem, TextEncodingProblem},
	} {
		if got := TextProblem(c.in, false); got != c.single {
			t.Errorf("TextProblem(%q, single) = %q, want %q", c.in, got, c.single)
		}
		if got := TextProblem(c.in, true); got != c.multi {
			t.Errorf("TextProblem(%q, multi) = %q, want %q", c.in, got, c.multi)
		}
	}
	for raw, want := range map[string]string{
		`{"a":["b",{"c":"d"}],"n":1}`: "",
		`{"a":["b",{"c":"d\u0000"}]}`: TextControlProblem,
		`{"k\u0001":1}`:               TextControlProblem,
		`{"a":"x\ny"}`:                TextControlProblem,
		"{\"a\":\"\xff\"}":            TextEncodingProblem,
		`not json`:                    "",
	} {
		if got := JSONTextProblem([]byte(raw)); got != want {
			t.Errorf("JSONTextProblem(%s) = %q, want %q", raw, got, want)
		}
	}
}
