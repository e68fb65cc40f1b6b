package console

import (
	"slices"
	"strings"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// The forms' pickers: countries and currencies from their ISO lists (the
// codes the server's validation accepts, so a picked value always passes
// it), and product lines from the quote catalog once one exists. The
// server validates what is sent exactly as before.

// option is one choice of a select.
type option struct{ Value, Label string }

var (
	// countryOptions are the ISO 3166-1 alpha-2 countries the validator
	// accepts, by English name.
	countryOptions = func() []option {
		v := web.NewValidator()
		names := display.English.Regions()
		var out []option
		for a := 'A'; a <= 'Z'; a++ {
			for b := 'A'; b <= 'Z'; b++ {
				code := string([]rune{a, b})
				if v.Var(code, "iso3166_1_alpha2") != nil {
					continue
				}
				label := code
				if r, err := language.ParseRegion(code); err == nil {
					if n := names.Name(r); n != "" {
						label = n + " (" + code + ")"
					}
				}
				out = append(out, option{code, label})
			}
		}
		slices.SortFunc(out, func(x, y option) int { return strings.Compare(x.Label, y.Label) })
		return out
	}()
	// currencyCodes are the active ISO 4217 currencies, by code.
	currencyCodes = domain.Currencies()
)

// lineChoice is one product line of the catalog, checked when the form
// holds it.
type lineChoice struct {
	Name    string
	Checked bool
}

// dealPickers are the registration form's pickers with the form's values
// selected.
type dealPickers struct {
	Countries  []option
	Currencies []string
	// Lines are the catalog's product lines (none: no catalog yet, the
	// form keeps its text field alone); Other the form's product lines
	// that are not among them, comma separated.
	Lines []lineChoice
	Other string
}

// formProductLines reads the registration form's product lines: the boxes
// checked and the text field's comma-separated entries, in that order.
func formProductLines(c *gin.Context) []string {
	_ = c.Request.ParseForm()
	var out []string
	for _, v := range c.Request.PostForm["product_lines"] {
		for _, pl := range strings.Split(v, ",") {
			if pl = strings.TrimSpace(pl); pl != "" {
				out = append(out, pl)
			}
		}
	}
	return out
}

// pickers builds the registration form's pickers for the product lines
// the form holds; a catalog that cannot be read leaves the text field
// alone (the form still works).
func (s *Console) pickers(c *gin.Context, held []string) dealPickers {
	p := dealPickers{Countries: countryOptions, Currencies: currencyCodes}
	var catalog []string
	if s.q != nil {
		lines, err := s.q.QuoteCatalogProductLines(c)
		if err != nil {
			s.log.Warn("console: the catalog's product lines", "err", err)
		}
		catalog = lines
	}
	held = domain.NormalizeProductLines(held)
	var other []string
	for _, h := range held {
		if !slices.Contains(catalog, h) {
			other = append(other, h)
		}
	}
	for _, l := range catalog {
		p.Lines = append(p.Lines, lineChoice{Name: l, Checked: slices.Contains(held, l)})
	}
	p.Other = strings.Join(other, ", ")
	return p
}
