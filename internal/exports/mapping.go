package exports

import (
	"io"
	"strconv"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/csvout"
)

func score(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// MappingPartnerOverlaps writes a partner's overlap report: its own
// accounts and the vendor's category for each, nothing of the vendor's.
func MappingPartnerOverlaps(w io.Writer, rows []dbq.MappingPartnerOverlapsRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"partner_account_id", "external_id", "name", "domain", "country", "partner_relation", "vendor_category", "score", "matches"})
	for _, r := range rows {
		_ = cw.Write([]string{r.ID.String(), r.ExternalID, r.Name, r.Domain, r.Country, r.PartnerRelation, r.VendorCategory,
			score(r.Score), strconv.FormatInt(r.Matches, 10)})
	}
	return cw.Flush()
}

// MappingVendorOverlaps writes the vendor's overlap report: both sides of
// each overlap with its score and explanation.
func MappingVendorOverlaps(w io.Writer, rows []dbq.MappingVendorOverlapsRow) error {
	cw := csvout.NewWriter(w)
	_ = cw.Write([]string{"partner_id", "partner_name", "partner_account_id", "partner_external_id", "partner_account_name",
		"partner_relation", "vendor_kind", "vendor_id", "vendor_name", "vendor_category", "owner_email", "score", "class", "explanation"})
	for _, r := range rows {
		_ = cw.Write([]string{r.PartnerID.String(), r.PartnerName, r.PartnerAccountID.String(), r.PartnerExternalID, r.PartnerAccountName,
			r.PartnerRelation, r.VendorKind, r.VendorID.String(), r.VendorName, r.VendorCategory, r.OwnerEmail, score(r.Score), r.Class, r.Explanation})
	}
	return cw.Flush()
}
