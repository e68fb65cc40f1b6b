package conflicts_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/conflicts"
	"github.com/dealflow/dealflow/internal/crm"
	"github.com/google/uuid"
)

// The engine reads at most 25 candidates per source, strongest evidence
// first: an account on the same registrable domain is found even when
// dozens of accounts have names within one letter of the customer's.
func TestConflictCandidatesKeepStrongEvidenceUnderTheCap(t *testing.T) {
	ctx := context.Background()
	letters := "abcdefghijklmnopqrstuvwxyz"
	base := make([]byte, 7)
	for i := range base {
		base[i] = letters[rand.IntN(26)]
	}
	name := string(base)
	var rows []crm.Account
	for i := range 40 { // one letter off: the same core-name key
		variant := []byte(name)
		variant[len(variant)-1-(i/26)%2] = letters[i%26]
		if string(variant) == name {
			continue
		}
		rows = append(rows, crm.Account{ExternalID: "near-" + uuid.NewString(), Name: string(variant),
			Domain: uuid.NewString()[:8] + ".example.com", Country: "US", OwnerType: "direct"})
	}
	strongDomain := "strong-" + uuid.NewString()[:8] + ".com"
	strong := crm.Account{ExternalID: "strong-" + uuid.NewString(), Name: "Entirely Other Holdings",
		Domain: "www." + strongDomain, Country: "US", OwnerType: "direct"}
	rows = append(rows, strong)
	if _, bad, err := crm.UpsertAccounts(ctx, testDB.Pool, rows); err != nil || len(bad) > 0 {
		t.Fatalf("upsert: %v %v", bad, err)
	}
	found, err := conflicts.Engine{Pool: testDB.Pool}.FindConflicts(ctx, conflicts.Query{
		Customer: domain.Customer{Name: name, Domain: strongDomain, Country: "US"}, Thresholds: domain.DefaultMatchThresholds})
	if err != nil {
		t.Fatal(err)
	}
	accounts := 0
	var sawStrong bool
	for _, c := range found {
		if c.Source == domain.SourceAccount {
			accounts++
			sawStrong = sawStrong || c.Name == strong.Name
		}
	}
	if !sawStrong || accounts > 25 {
		t.Fatalf("strong account found = %v, %d accounts: %+v", sawStrong, accounts, found)
	}
}
