package crm

import (
	"context"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Result counts what an upsert did.
type Result struct {
	Inserted int `json:"inserted"`
	Updated  int `json:"updated"`
}

// UpsertAccounts validates every row, and only if all are good upserts them
// by external id in one transaction.
func UpsertAccounts(ctx context.Context, pool *pgxpool.Pool, rows []Account) (Result, []RowError, error) {
	p, errs := prepareAccounts(rows)
	if len(errs) == 0 {
		errs = unknownPartners(ctx, pool, rows)
	}
	if len(errs) > 0 {
		return Result{}, errs, nil
	}
	res, err := upsert(ctx, pool, func(q *dbq.Queries) ([]bool, error) {
		out, err := q.AccountsUpsert(ctx, p)
		inserted := make([]bool, len(out))
		for i, r := range out {
			inserted[i] = r.Inserted
		}
		return inserted, err
	})
	return res, nil, err
}

// upsert runs one batch upsert in a transaction and counts what it did.
func upsert(ctx context.Context, pool *pgxpool.Pool, run func(q *dbq.Queries) ([]bool, error)) (Result, error) {
	var res Result
	err := db.InTx(ctx, pool, func(q *dbq.Queries) error {
		inserted, err := run(q)
		for _, ins := range inserted {
			if ins {
				res.Inserted++
			} else {
				res.Updated++
			}
		}
		return err
	})
	return res, err
}

func prepareAccounts(rows []Account) (dbq.AccountsUpsertParams, []RowError) {
	var p dbq.AccountsUpsertParams
	var errs []RowError
	if len(rows) > MaxRows {
		return p, []RowError{{Row: MaxRows + 1, Field: "rows", Message: "a batch holds at most 100000 rows"}}
	}
	seen := map[string]int{}
	for i := range rows {
		a := &rows[i]
		row := i + 1
		checkText(row, a.ExternalID, *a, &errs)
		a.ExternalID = strings.TrimSpace(a.ExternalID)
		a.Name = strings.TrimSpace(a.Name)
		a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
		a.OwnerType = strings.ToLower(strings.TrimSpace(a.OwnerType))
		a.OwnerPartnerID = strings.TrimSpace(a.OwnerPartnerID)
		a.OwnerEmail = strings.ToLower(strings.TrimSpace(a.OwnerEmail))
		a.Relation = strings.ToLower(strings.TrimSpace(a.Relation))
		if a.Relation == "" {
			a.Relation = RelationCustomer
		}
		checkID(row, a.ExternalID, seen, &errs)
		c := checkCustomer(row, a.ExternalID, "name", a.Name, a.Domain, a.Country, &errs)
		bad := func(field, msg string) {
			errs = append(errs, RowError{Row: row, ExternalID: a.ExternalID, Field: field, Message: msg})
		}
		switch a.OwnerType {
		case "direct":
			if a.OwnerPartnerID != "" {
				bad("owner_partner_id", "must be empty when direct sales own the account")
			}
		case "partner":
			if _, err := uuid.Parse(a.OwnerPartnerID); err != nil {
				bad("owner_partner_id", "must be the owning partner's id")
			}
			if a.ReservedForDirect {
				bad("reserved_for_direct", "only a direct account can be reserved for direct sales")
			}
		default:
			bad("owner_type", "must be direct or partner")
		}
		if !validRelation(a.Relation) {
			bad("relation", "must be customer or prospect")
		}
		if local, host, ok := strings.Cut(a.OwnerEmail, "@"); a.OwnerEmail != "" && (!ok || local == "" || host == "" || len(a.OwnerEmail) > 254 || strings.ContainsAny(host, "@ ")) {
			bad("owner_email", "must be the owning seller's e-mail address")
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
		p.OwnerTypes = append(p.OwnerTypes, a.OwnerType)
		p.OwnerPartnerIds = append(p.OwnerPartnerIds, a.OwnerPartnerID)
		p.Reserved = append(p.Reserved, a.ReservedForDirect)
		p.OwnerEmails = append(p.OwnerEmails, a.OwnerEmail)
		p.Relations = append(p.Relations, a.Relation)
	}
	return p, firstPerField(errs)
}

// unknownPartners reports rows whose owning partner does not exist.
func unknownPartners(ctx context.Context, pool *pgxpool.Pool, rows []Account) []RowError {
	var ids []uuid.UUID
	for _, a := range rows {
		if id, err := uuid.Parse(a.OwnerPartnerID); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	known, err := dbq.New(pool).PartnersExisting(ctx, ids)
	if err != nil {
		return []RowError{{Field: "owner_partner_id", Message: "could not check partners: " + err.Error()}}
	}
	have := map[uuid.UUID]bool{}
	for _, id := range known {
		have[id] = true
	}
	var errs []RowError
	for i, a := range rows {
		if id, err := uuid.Parse(a.OwnerPartnerID); err == nil && !have[id] {
			errs = append(errs, RowError{Row: i + 1, ExternalID: a.ExternalID, Field: "owner_partner_id", Message: "no such partner"})
		}
	}
	return errs
}
