package crm

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// AccountColumns and OpportunityColumns are the CSV headers the importers
// read; columns may come in any order, and unknown ones are refused.
var (
	AccountColumns     = []string{"external_id", "name", "domain", "country", "owner_type", "owner_partner_id", "reserved_for_direct", "owner_email", "relation"}
	OpportunityColumns = []string{"external_id", "account_name", "domain", "country", "owner", "stage", "status", "amount", "currency", "product_lines", "close_date"}
)

// ReadAccountsCSV reads accounts from CSV with a header row.
func ReadAccountsCSV(r io.Reader) ([]Account, []RowError, error) {
	var out []Account
	errs, err := readCSV(r, AccountColumns, []string{"external_id", "name", "owner_type"}, func(row int, get func(string) string) []RowError {
		a := Account{ExternalID: get("external_id"), Name: get("name"), Domain: get("domain"), Country: get("country"),
			OwnerType: get("owner_type"), OwnerPartnerID: get("owner_partner_id"), OwnerEmail: get("owner_email"),
			Relation: get("relation")}
		var errs []RowError
		if v := get("reserved_for_direct"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, RowError{Row: row, ExternalID: a.ExternalID, Field: "reserved_for_direct", Message: "must be true or false"})
			}
			a.ReservedForDirect = b
		}
		out = append(out, a)
		return errs
	})
	return out, errs, err
}

// ReadOpportunitiesCSV reads opportunities from CSV with a header row;
// product_lines are separated by ';', amount is in minor units.
func ReadOpportunitiesCSV(r io.Reader) ([]Opportunity, []RowError, error) {
	var out []Opportunity
	errs, err := readCSV(r, OpportunityColumns, []string{"external_id", "account_name"}, func(row int, get func(string) string) []RowError {
		o := Opportunity{ExternalID: get("external_id"), AccountName: get("account_name"), Domain: get("domain"),
			Country: get("country"), Owner: get("owner"), Stage: get("stage"), Status: get("status"),
			Currency: get("currency"), CloseDate: get("close_date")}
		var errs []RowError
		if v := get("amount"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, RowError{Row: row, ExternalID: o.ExternalID, Field: "amount", Message: "must be an integer amount in minor units"})
			}
			o.Amount = &n
		}
		if v := get("product_lines"); v != "" {
			o.ProductLines = strings.Split(v, ";")
		}
		out = append(out, o)
		return errs
	})
	return out, errs, err
}

// readCSV maps each data row through the header to parse; a file that
// cannot be read as CSV at all is an error, bad rows are row errors.
func readCSV(r io.Reader, known, required []string, parse func(row int, get func(string) string) []RowError) ([]RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty; it needs a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(known, h) {
			return nil, fmt.Errorf("unknown column %q; the columns are %s", h, strings.Join(known, ","))
		}
		index[h] = i
	}
	for _, req := range required {
		if _, ok := index[req]; !ok {
			return nil, fmt.Errorf("missing column %q", req)
		}
	}
	var errs []RowError
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return errs, nil
		}
		if err != nil {
			errs = append(errs, RowError{Row: row, Field: "csv", Message: err.Error()})
			if row > MaxRows {
				return errs, nil
			}
			continue
		}
		if len(rec) != len(header) {
			errs = append(errs, RowError{Row: row, Field: "csv", Message: fmt.Sprintf("has %d fields, the header %d", len(rec), len(header))})
			continue
		}
		get := func(col string) string {
			if i, ok := index[col]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		errs = append(errs, parse(row, get)...)
	}
}
