package crm

import (
	"context"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/jackc/pgx/v5/pgxpool"
)

// UpsertOpportunities validates every row, and only if all are good upserts
// them by external id in one transaction.
func UpsertOpportunities(ctx context.Context, pool *pgxpool.Pool, rows []Opportunity) (Result, []RowError, error) {
	p, errs := prepareOpportunities(rows)
	if len(errs) > 0 {
		return Result{}, errs, nil
	}
	res, err := upsert(ctx, pool, func(q *dbq.Queries) ([]bool, error) {
		out, err := q.OpportunitiesUpsert(ctx, p)
		inserted := make([]bool, len(out))
		for i, r := range out {
			inserted[i] = r.Inserted
		}
		return inserted, err
	})
	return res, nil, err
}

func prepareOpportunities(rows []Opportunity) (dbq.OpportunitiesUpsertParams, []RowError) {
	var p dbq.OpportunitiesUpsertParams
	var errs []RowError
	if len(rows) > MaxRows {
		return p, []RowError{{Row: MaxRows + 1, Field: "rows", Message: "a batch holds at most 100000 rows"}}
	}
	seen := map[string]int{}
	for i := range rows {
		o := &rows[i]
		row := i + 1
		checkText(row, o.ExternalID, *o, &errs)
		o.ExternalID = strings.TrimSpace(o.ExternalID)
		o.AccountName = strings.TrimSpace(o.AccountName)
		o.Country = strings.ToUpper(strings.TrimSpace(o.Country))
		o.Status = strings.ToLower(strings.TrimSpace(o.Status))
		o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
		o.CloseDate = strings.TrimSpace(o.CloseDate)
		checkID(row, o.ExternalID, seen, &errs)
		c := checkCustomer(row, o.ExternalID, "account_name", o.AccountName, o.Domain, o.Country, &errs)
		bad := func(field, msg string) {
			errs = append(errs, RowError{Row: row, ExternalID: o.ExternalID, Field: field, Message: msg})
		}
		if o.Status == "" {
			o.Status = "open"
		}
		if o.Status != "open" && o.Status != "won" && o.Status != "lost" {
			bad("status", "must be open, won or lost")
		}
		var amount int64
		if o.Amount != nil {
			amount = *o.Amount
			if amount < 0 || amount > domain.MaxAmount {
				bad("amount", "must be a non-negative amount in minor units")
			}
			if !domain.ValidCurrency(o.Currency) {
				bad("currency", "must be an ISO 4217 code such as USD when an amount is given")
			}
		} else if o.Currency != "" && !domain.ValidCurrency(o.Currency) {
			bad("currency", "must be an ISO 4217 code such as USD")
		}
		if o.CloseDate != "" {
			if _, err := time.Parse(time.DateOnly, o.CloseDate); err != nil {
				bad("close_date", "must be a date as YYYY-MM-DD")
			}
		}
		if len(o.Owner) > 200 || len(o.Stage) > 100 {
			bad("owner", "owner and stage must be short texts")
		}
		var lines []string
		for _, l := range domain.NormalizeProductLines(o.ProductLines) {
			if domain.ProductLineProblem(l) != "" || strings.Contains(l, ";") {
				bad("product_lines", "each product line must be 1 to 100 characters without ';' or control characters")
				continue
			}
			lines = append(lines, l)
		}
		p.ExternalIds = append(p.ExternalIds, o.ExternalID)
		p.AccountNames = append(p.AccountNames, o.AccountName)
		p.NamesFull = append(p.NamesFull, c.full)
		p.NamesCore = append(p.NamesCore, c.core)
		p.NamesKeys = append(p.NamesKeys, c.keys)
		p.Domains = append(p.Domains, c.host)
		p.RegistrableDomains = append(p.RegistrableDomains, c.registrable)
		p.DomainLabels = append(p.DomainLabels, c.label)
		p.Countries = append(p.Countries, o.Country)
		p.Owners = append(p.Owners, strings.TrimSpace(o.Owner))
		p.Stages = append(p.Stages, strings.TrimSpace(o.Stage))
		p.Statuses = append(p.Statuses, o.Status)
		p.Amounts = append(p.Amounts, amount)
		p.Currencies = append(p.Currencies, o.Currency)
		p.ProductLines = append(p.ProductLines, strings.Join(lines, ";"))
		p.CloseDates = append(p.CloseDates, o.CloseDate)
	}
	return p, firstPerField(errs)
}
