package crm

import (
	"reflect"
	"strings"
	"testing"
)

// Every text column of an account or an opportunity, from the API's JSON or
// the command line's CSV, refuses NUL and other control characters with a
// row error naming the column, before anything reaches PostgreSQL (which
// refuses a NUL in text; finding 1 of issue 12). The rows are walked by
// reflection, so a column added later is covered too.
func TestTextColumnsRefuseControlCharacters(t *testing.T) {
	check := func(kind string, row any, prepare func() []RowError) {
		v := reflect.ValueOf(row).Elem()
		n := 0
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			for _, bad := range []string{"x\u0000", "a\nb", "x\u0085", "x\xff"} {
				v.Set(reflect.Zero(v.Type()))
				switch {
				case f.Type.Kind() == reflect.String:
					v.Field(i).SetString(bad)
				case f.Type == reflect.TypeFor[[]string]():
					v.Field(i).Set(reflect.ValueOf([]string{bad}))
				default:
					continue
				}
				if bad == "x\u0000" {
					n++
				}
				found := false
				for _, e := range prepare() {
					found = found || e.Field == name && (e.Message == "must not contain control characters" || e.Message == "must be valid UTF-8 text")
				}
				if !found {
					t.Errorf("%s.%s accepts %q: %v", kind, name, bad, prepare())
				}
			}
		}
		if n < 6 {
			t.Fatalf("%s: walked only %d text columns", kind, n)
		}
	}
	var a Account
	check("account", &a, func() []RowError { _, errs := prepareAccounts([]Account{a}); return errs })
	var o Opportunity
	check("opportunity", &o, func() []RowError { _, errs := prepareOpportunities([]Opportunity{o}); return errs })
}
