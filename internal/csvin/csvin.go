// Package csvin reads the CSV files dealflow imports (quote catalogs,
// leads; CRM accounts and opportunities have their own readers in
// internal/crm): one place that knows encoding/csv on the way in, as
// internal/csvout is on the way out, and that names the line of a
// malformed record.
package csvin

import (
	"encoding/csv"
	"errors"
	"io"
)

// Reader reads records, each with the same number of fields when fields
// is positive (any number when it is -1).
type Reader struct{ r *csv.Reader }

// New returns a Reader of r.
func New(r io.Reader, fields int) *Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = fields
	return &Reader{r: cr}
}

// Read returns the next record, or io.EOF after the last.
func (r *Reader) Read() ([]string, error) { return r.r.Read() }

// ReadAll returns every record.
func (r *Reader) ReadAll() ([][]string, error) { return r.r.ReadAll() }

// Malformed says, for an error Read or ReadAll returned, on which line the
// file is not CSV and why (ok false: the error is another, such as a
// reader's).
func Malformed(err error) (line int, why string, ok bool) {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return perr.Line, perr.Err.Error(), true
	}
	return 0, "", false
}

// Line is the line the last record Read returned starts on.
func (r *Reader) Line() int {
	line, _ := r.r.FieldPos(0)
	return line
}
