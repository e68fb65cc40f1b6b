// Package csvout is the one CSV writer behind every file dealflow writes
// (the deals behind a statement line, a cycle's statement lines and payout
// file, the ledger), so that no export can hand a spreadsheet a formula.
//
// The rule (OWASP's, for CSV injection): a cell that starts with "=", "+",
// "-", "@", a tab or a carriage return is written with a leading
// apostrophe, which spreadsheets show as text and never evaluate. So is a
// cell that starts with an apostrophe itself, which makes the rule
// reversible: Restore gives back every cell exactly (a reader re-verifying
// the ledger's hash chain from its file restores each cell first). The one
// exception is a plain number — an optional "-", digits, optionally "." and
// digits, nothing else — which spreadsheets read as a number and never as a
// formula: amounts such as a clawback's -197000 or -1970.00 stay numbers.
package csvout

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// plainNumber is the only kind of cell starting with "-" left as it is.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Cell returns s as it is written: with a leading apostrophe when a
// spreadsheet could take it for a formula (or it starts with an
// apostrophe), unchanged otherwise.
func Cell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r'", rune(s[0])) || plainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}

// Restore returns the value a cell written by Cell was written from.
func Restore(cell string) string { return strings.TrimPrefix(cell, "'") }

// Writer writes CSV records whose every cell goes through Cell.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer on out.
func NewWriter(out io.Writer) *Writer { return &Writer{w: csv.NewWriter(out)} }

// Write writes one record, each cell made safe by Cell.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, cell := range record {
		w.buf = append(w.buf, Cell(cell))
	}
	return w.w.Write(w.buf)
}

// Flush writes any buffered data out and reports the first error of any
// Write or of the flush.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
