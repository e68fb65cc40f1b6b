package crm

import (
	"context"
	"io"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The relations an account has to whoever holds it: the two sides of an
// account-mapping category.
const (
	RelationCustomer = "customer"
	RelationProspect = "prospect"
)

func validRelation(r string) bool { return r == RelationCustomer || r == RelationProspect }

// PartnerAccount is one of a partner's own accounts, uploaded for account
// mapping: a customer or a prospect of the partner's.
type PartnerAccount struct {
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Domain     string `json:"domain"`
	Country    string `json:"country"`
	Relation   string `json:"relation"`
}

// PartnerAccountColumns is the CSV header a partner's upload is read by.
var PartnerAccountColumns = []string{"external_id", "name", "domain", "country", "relation"}

// ReadPartnerAccountsCSV reads a partner's accounts from CSV with a header
// row.
func ReadPartnerAccountsCSV(r io.Reader) ([]PartnerAccount, []RowError, error) {
	var out []PartnerAccount
	errs, err := readCSV(r, PartnerAccountColumns, []string{"external_id", "name", "relation"}, func(row int, get func(string) string) []RowError {
		out = append(out, PartnerAccount{ExternalID: get("external_id"), Name: get("name"), Domain: get("domain"),
			Country: get("country"), Relation: get("relation")})
		return nil
	})
	return out, errs, err
}

// UpsertPartnerAccounts validates every row of partner's upload, and only
// if all are good upserts them by the partner's external id in one
// transaction; the database re-maps the rows that changed (its triggers,
// db/functions/60_mapping.sql) in the same transaction.
func UpsertPartnerAccounts(ctx context.Context, pool *pgxpool.Pool, partner uuid.UUID, rows []PartnerAccount) (Result, []RowError, error) {
	p, errs := preparePartnerAccounts(rows)
	if len(errs) > 0 {
		return Result{}, errs, nil
	}
	p.PartnerID = partner
	res, err := upsert(ctx, pool, func(q *dbq.Queries) ([]bool, error) {
		out, err := q.PartnerAccountsUpsert(ctx, p)
		inserted := make([]bool, len(out))
		for i, r := range out {
			inserted[i] = r.Inserted
		}
		return inserted, err
	})
	return res, nil, err
}

func preparePartnerAccounts(rows []PartnerAccount) (dbq.PartnerAccountsUpsertParams, []RowError) {
	var p dbq.PartnerAccountsUpsertParams
	var errs []RowError
	if len(rows) > MaxRows {
		return p, []RowError{{Row: MaxRows + 1, Field: "rows", Message: "a batch holds at most 100000 rows"}}
	}
	if len(rows) == 0 {
		return p, []RowError{{Row: 1, Field: "rows", Message: "the upload holds no accounts"}}
	}
	seen := map[string]int{}
	for i := range rows {
		a := &rows[i]
		row := i + 1
		checkText(row, a.ExternalID, *a, &errs)
		a.ExternalID = strings.TrimSpace(a.ExternalID)
		a.Name = strings.TrimSpace(a.Name)
		a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
		a.Relation = strings.ToLower(strings.TrimSpace(a.Relation))
		checkID(row, a.ExternalID, seen, &errs)
		c := checkCustomer(row, a.ExternalID, "name", a.Name, a.Domain, a.Country, &errs)
		if !validRelation(a.Relation) {
			errs = append(errs, RowError{Row: row, ExternalID: a.ExternalID, Field: "relation", Message: "must be customer or prospect"})
		}
		p.ExternalIds = append(p.ExternalIds, a.ExternalID)
		p.Names = append(p.Names, a.Name)
		p.NamesFull = append(p.NamesFull, c.full)
		p.NamesCore = append(p.NamesCore, c.core)
		p.NamesKeys = append(p.NamesKeys, c.keys)
		p.Domains = append(p.Domains, c.host)
		p.RegistrableDomains = append(p.RegistrableDomains, c.registrable)
		p.DomainLabels = append(p.DomainLabels, c.label)
		p.Countries = append(p.Countries, a.Country)
		p.Relations = append(p.Relations, a.Relation)
	}
	return p, firstPerField(errs)
}
