package console

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/google/uuid"
)

// renderPage renders a console page as render does, for a principal.
func renderPage(t *testing.T, name string, role domain.Role, data any) string {
	t.Helper()
	var b strings.Builder
	p := page{Title: name, Principal: &web.Principal{Role: role}, Data: data}
	if err := consolePages[name].ExecuteTemplate(&b, "layout.html", p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// hrefs returns the query strings of the page's links to path.
func hrefs(t *testing.T, body, path string) []url.Values {
	t.Helper()
	var out []url.Values
	for _, m := range regexp.MustCompile(`href="`+regexp.QuoteMeta(path)+`\?([^"]*)"`).FindAllStringSubmatch(body, -1) {
		v, err := url.ParseQuery(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatalf("link %s?%s: %v", path, m[1], err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		t.Fatalf("no link to %s on the page", path)
	}
	return out
}

// The account mapping page's CSV link keeps the filters, each one a
// parameter of its own (a plain string was escaped whole by html/template,
// "q%3dx%26...", and the download ignored every filter).
func TestMappingCSVLinkKeepsTheFilters(t *testing.T) {
	f := read.MappingFilter{PartnerRelation: "customer", VendorCategory: "prospect", Q: "Müller & Söhne", MinScore: 0.85,
		PartnerID: uuid.NullUUID{UUID: uuid.New(), Valid: true}}
	for _, role := range []domain.Role{domain.RolePartnerUser, domain.RoleSalesRep} {
		body := renderPage(t, "mapping.html", role, mappingView{Filter: f, CSVQuery: mappingQuery(f)})
		for _, q := range hrefs(t, body, "/console/mapping/overlaps.csv") {
			got, errs := read.ParseMappingFilter(q)
			if len(errs) > 0 || got != f {
				t.Errorf("%s: the CSV link's filter is %+v %v, want %+v", role, got, errs, f)
			}
		}
	}
	body := renderPage(t, "mapping.html", domain.RolePartnerUser, mappingView{CSVQuery: mappingQuery(read.MappingFilter{})})
	if q := hrefs(t, body, "/console/mapping/overlaps.csv")[0]; len(q) != 0 {
		t.Errorf("no filter, yet the CSV link has %v", q)
	}
}

// The ROI page's CSV links keep the currency and the months.
func TestROICSVLinksKeepTheFilter(t *testing.T) {
	p := roiPage{ROIView: read.ROIView{Currency: "SEK", From: "2025-01", To: "2025-06"}, Query: roiQuery("SEK", "2025-01", "2025-06")}
	body := renderPage(t, "roi.html", domain.RoleFinance, p)
	for _, path := range []string{"/console/analytics/roi/programs.csv", "/console/analytics/roi/tiers.csv", "/console/analytics/roi/partners.csv"} {
		q := hrefs(t, body, path)[0]
		if q.Get("currency") != "SEK" || q.Get("from") != "2025-01" || q.Get("to") != "2025-06" {
			t.Errorf("%s: %v", path, q)
		}
	}
}

// A deal's page shows its notes: a vendor-sourced deal's say where it came
// from ("shared opportunity <id> from seller <e-mail>").
func TestDealPageShowsTheNotes(t *testing.T) {
	d := read.DealView{ID: uuid.NewString(), Kind: "vendor_sourced", Status: "approved", Notes: "shared opportunity x from seller sam@vendor.example"}
	body := renderPage(t, "deal.html", domain.RolePartnerUser, dealPage{Deal: d})
	if !strings.Contains(body, `<dd id="deal-notes">shared opportunity x from seller sam@vendor.example</dd>`) {
		t.Fatalf("the deal page lacks its notes:\n%s", body)
	}
	d.Notes = ""
	if body := renderPage(t, "deal.html", domain.RolePartnerUser, dealPage{Deal: d}); strings.Contains(body, "deal-notes") {
		t.Fatal("a deal without notes shows a Notes field")
	}
}
