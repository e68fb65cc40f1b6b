package domain

import (
	"strings"
	"testing"
)

// Amount, currency and product lines (as a set) are material; the rest of
// a registration is not.
func TestMaterialChanges(t *testing.T) {
	base := Registration{Amount: 25_000_000, Currency: "USD", ProductLines: []string{"firewall", "vpn"},
		Contact: Contact{Name: "A", Email: "a@x.com"}, Notes: "n", ExpectedCloseDate: "2027-01-01"}
	cases := []struct {
		name string
		edit func(*Registration)
		want string
	}{
		{"nothing", func(*Registration) {}, ""},
		{"contact, notes, close date", func(r *Registration) {
			r.Contact, r.Notes, r.ExpectedCloseDate = Contact{Name: "B", Email: "b@x.com"}, "m", "2027-02-01"
		}, ""},
		{"lines reordered", func(r *Registration) { r.ProductLines = []string{"vpn", "firewall"} }, ""},
		{"amount", func(r *Registration) { r.Amount *= 5000 }, "amount 25000000 → 125000000000"},
		{"currency", func(r *Registration) { r.Currency = "EUR" }, "currency USD → EUR"},
		{"lines", func(r *Registration) { r.ProductLines = []string{"firewall"} }, "product_lines firewall, vpn → firewall"},
		{"all three", func(r *Registration) { r.Amount, r.Currency, r.ProductLines = 1, "GBP", nil },
			"amount 25000000 → 1; currency USD → GBP; product_lines firewall, vpn → "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			after := base
			after.ProductLines = append([]string(nil), base.ProductLines...)
			c.edit(&after)
			var got []string
			for _, m := range MaterialChanges(base, after) {
				got = append(got, m.String())
			}
			if s := strings.Join(got, "; "); s != c.want {
				t.Fatalf("got %q, want %q", s, c.want)
			}
		})
	}
}
