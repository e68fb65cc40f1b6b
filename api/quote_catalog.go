package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/dealflow/dealflow/internal/csvin"
	"github.com/dealflow/dealflow/internal/web"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/gin-gonic/gin"
)

// The quote catalog's admin API: products, price book entries, volume
// schedules and the channel pricing policy, one at a time or imported from
// CSV (all rows or none).

func (s *Server) quoteCatalogRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/quote-catalog/products", web.AllRoles, s.listQuoteProducts},
		{http.MethodPut, "/v1/quote-catalog/products/:sku", web.AdminRoles, s.putQuoteProduct},
		{http.MethodGet, "/v1/quote-catalog/prices", web.VendorRoles, s.listQuotePrices},
		{http.MethodPost, "/v1/quote-catalog/prices", web.AdminRoles, s.addQuotePrice},
		{http.MethodPost, "/v1/quote-catalog/schedules", web.AdminRoles, s.addQuoteSchedule},
		{http.MethodGet, "/v1/quote-catalog/policy", web.VendorRoles, s.getQuotePolicy},
		{http.MethodPost, "/v1/quote-catalog/policy", web.AdminRoles, s.addQuotePolicy},
		{http.MethodPost, "/v1/quote-catalog/import", web.AdminRoles, s.importQuoteCatalog},
	}
}

type quoteProductBody struct {
	Name         string   `json:"name" validate:"required,max=200,printable"`
	ProductLine  string   `json:"product_line" validate:"required,max=100,printable"`
	Unit         string   `json:"unit" validate:"required,max=50,printable"`
	Discountable bool     `json:"discountable"`
	Active       bool     `json:"active"`
	MinQty       int64    `json:"min_qty" validate:"min=1,max=1000000000"`
	MaxQty       int64    `json:"max_qty" validate:"min=0,max=1000000000"`
	Requires     []string `json:"requires" validate:"max=50,dive,printable,max=64"`
	Excludes     []string `json:"excludes" validate:"max=50,dive,printable,max=64"`
}

func productOf(sku string, b quoteProductBody) domain.Product {
	pl := domain.NormalizeProductLines([]string{b.ProductLine})
	return domain.Product{SKU: sku, Name: b.Name, ProductLine: pl[0], Unit: b.Unit, Discountable: b.Discountable,
		Active: b.Active, MinQty: b.MinQty, MaxQty: b.MaxQty, Requires: nonNil(b.Requires), Excludes: nonNil(b.Excludes)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func upsertProduct(c *gin.Context, q *dbq.Queries, p domain.Product) error {
	return q.QuoteProductUpsert(c, dbq.QuoteProductUpsertParams{Sku: p.SKU, Name: p.Name, ProductLine: p.ProductLine, Unit: p.Unit,
		Discountable: p.Discountable, Active: p.Active, MinQty: p.MinQty, MaxQty: p.MaxQty, Requires: p.Requires, Excludes: p.Excludes})
}

// putQuoteProduct creates or replaces a product.
func (s *Server) putQuoteProduct(c *gin.Context) {
	var b quoteProductBody
	if !s.decodeJSON(c, &b, false) {
		return
	}
	if err := s.validate.Struct(&b); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	p := productOf(c.Param("sku"), b)
	if problems := domain.ProductProblems(p); len(problems) > 0 {
		web.ValidationProblem(c, fieldProblems(problems))
		return
	}
	if err := upsertProduct(c, s.q, p); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// listQuoteProducts lists (or searches, ?q=) the catalog.
func (s *Server) listQuoteProducts(c *gin.Context) {
	search := c.Query("q")
	if len(search) > 100 || domain.TextProblem(search, false) != "" {
		web.ValidationProblem(c, []web.FieldError{{Field: "q", Message: "at most 100 printable characters"}})
		return
	}
	rows, err := s.q.QuoteProductList(c, search)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"products": rows})
}

type quotePriceBody struct {
	SKU           string `json:"sku" validate:"required,printable,max=64"`
	Currency      string `json:"currency" validate:"required,currency"`
	EffectiveFrom string `json:"effective_from" validate:"required,datetime=2006-01-02"`
	ListPrice     int64  `json:"list_price" validate:"min=0,max=1000000000000000"`
}

// addQuotePrice adds a price book entry, in force from its day: an
// existing quote keeps the price it was priced with.
func (s *Server) addQuotePrice(c *gin.Context) {
	var b quotePriceBody
	if !s.decodeJSON(c, &b, false) {
		return
	}
	if err := s.validate.Struct(&b); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	var row dbq.QuotePrice
	err := db.InTx(c, s.pool, func(q *dbq.Queries) error {
		errs, err := insertPrice(c, q, b, &row)
		if err == nil && len(errs) > 0 {
			return fieldErrorList(errs)
		}
		return err
	})
	s.catalogWritten(c, err, row)
}

// fieldErrorList carries per-field errors out of a transaction (rolled back).
type fieldErrorList []web.FieldError

func (f fieldErrorList) Error() string { return fmt.Sprintf("%d invalid fields", len(f)) }

func (s *Server) catalogWritten(c *gin.Context, err error, out any) {
	var fe fieldErrorList
	switch {
	case errors.As(err, &fe):
		web.ValidationProblem(c, fe)
	case db.IsUniqueViolation(err):
		web.Fail(c, http.StatusConflict, web.ProblemDuplicate, "an entry for that SKU, currency and day exists already; add one from another day")
	case err != nil:
		web.Unavailable(c, s.log, err)
	default:
		c.JSON(http.StatusCreated, out)
	}
}

func insertPrice(c *gin.Context, q *dbq.Queries, b quotePriceBody, out *dbq.QuotePrice) ([]web.FieldError, error) {
	if ok, err := productExists(c, q, b.SKU); err != nil || !ok {
		return []web.FieldError{{Field: "sku", Message: fmt.Sprintf("no product %q in the catalog", b.SKU)}}, err
	}
	day, _ := time.Parse(time.DateOnly, b.EffectiveFrom)
	row, err := q.QuotePriceInsert(c, dbq.QuotePriceInsertParams{Sku: b.SKU, Currency: b.Currency, EffectiveFrom: day, ListPrice: b.ListPrice})
	*out = row
	return nil, err
}

func productExists(c *gin.Context, q *dbq.Queries, sku string) (bool, error) {
	rows, err := q.QuoteProductsBySKU(c, []string{sku})
	return len(rows) == 1, err
}

func (s *Server) listQuotePrices(c *gin.Context) {
	rows, err := s.q.QuotePriceList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"prices": rows})
}

type quoteScheduleBody struct {
	SKU   string `json:"sku" validate:"required,printable,max=64"`
	Kind  string `json:"kind" validate:"required,oneof=range slab"`
	Tiers []struct {
		From int64 `json:"from"`
		BP   int64 `json:"bp"`
	} `json:"tiers" validate:"required,min=1,max=100"`
}

// addQuoteSchedule adds a product's volume schedule as its next version.
func (s *Server) addQuoteSchedule(c *gin.Context) {
	var b quoteScheduleBody
	if !s.decodeJSON(c, &b, false) {
		return
	}
	if err := s.validate.Struct(&b); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	sc := domain.Schedule{SKU: b.SKU, Kind: b.Kind}
	for _, t := range b.Tiers {
		sc.Tiers = append(sc.Tiers, domain.VolumeTier{From: t.From, BP: t.BP})
	}
	var row dbq.QuoteSchedule
	err := db.InTx(c, s.pool, func(q *dbq.Queries) error {
		errs, err := insertSchedule(c, q, sc, &row)
		if err == nil && len(errs) > 0 {
			return fieldErrorList(errs)
		}
		return err
	})
	s.catalogWritten(c, err, row)
}

func insertSchedule(c *gin.Context, q *dbq.Queries, sc domain.Schedule, out *dbq.QuoteSchedule) ([]web.FieldError, error) {
	if problems := domain.ScheduleProblems(sc); len(problems) > 0 {
		return fieldProblems(problems), nil
	}
	if ok, err := productExists(c, q, sc.SKU); err != nil || !ok {
		return []web.FieldError{{Field: "sku", Message: fmt.Sprintf("no product %q in the catalog", sc.SKU)}}, err
	}
	tiers, err := json.Marshal(sc.Tiers)
	if err != nil {
		return nil, err
	}
	row, err := q.QuoteScheduleInsert(c, dbq.QuoteScheduleInsertParams{Sku: sc.SKU, Kind: sc.Kind, Tiers: tiers})
	*out = row
	return nil, err
}

func (s *Server) getQuotePolicy(c *gin.Context) {
	p, err := db.QuotePolicy(c, s.q)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// addQuotePolicy stores a new version of the channel pricing policy;
// quotes priced before it keep the version they name.
func (s *Server) addQuotePolicy(c *gin.Context) {
	var p domain.ChannelPricing
	if !s.decodeJSON(c, &p, false) {
		return
	}
	for i := range p.PartnerDiscounts {
		d := &p.PartnerDiscounts[i]
		d.Tier = domain.NormalizeTier(d.Tier)
		if d.ProductLine != "" {
			d.ProductLine = domain.NormalizeProductLines([]string{d.ProductLine})[0]
		}
	}
	if problems := domain.ChannelPricingProblems(p); len(problems) > 0 {
		web.ValidationProblem(c, fieldProblems(problems))
		return
	}
	p.Version = 0
	b, _ := json.Marshal(p)
	row, err := s.q.QuotePolicyInsert(c, dbq.QuotePolicyInsertParams{Policy: b, CreatedBy: web.PrincipalOf(c).UserID.String()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	p.Version = int(row.Version)
	c.JSON(http.StatusCreated, p)
}

// importQuoteCatalog imports products, prices or schedules (?kind=) from a
// CSV body with a header row. Every row is checked; any bad row refuses
// the whole file, each problem naming its line (line 1 is the header), and
// nothing is written.
//
//	products:  sku,name,product_line,unit,discountable,active,min_qty,max_qty,requires,excludes  (requires/excludes: SKUs separated by ;)
//	prices:    sku,currency,effective_from,list_price  (list_price in minor units)
//	schedules: sku,kind,tiers  (tiers: from:bp pairs separated by ;, e.g. 1:0;10:500)
func (s *Server) importQuoteCatalog(c *gin.Context) {
	kind := c.Query("kind")
	header, ok := map[string]string{
		"products":  "sku,name,product_line,unit,discountable,active,min_qty,max_qty,requires,excludes",
		"prices":    "sku,currency,effective_from,list_price",
		"schedules": "sku,kind,tiers",
	}[kind]
	if !ok {
		web.ValidationProblem(c, []web.FieldError{{Field: "kind", Message: "must be products, prices or schedules"}})
		return
	}
	r := csvin.New(http.MaxBytesReader(c.Writer, c.Request.Body, 8<<20), len(strings.Split(header, ",")))
	rows, err := r.ReadAll()
	line, why, malformed := csvin.Malformed(err)
	switch {
	case malformed:
		web.ValidationProblem(c, []web.FieldError{{Field: fmt.Sprintf("line %d", line), Message: why}})
		return
	case err != nil:
		web.Fail(c, http.StatusBadRequest, web.ProblemMalformed, "could not read the CSV body")
		return
	case len(rows) < 2 || strings.Join(rows[0], ",") != header:
		web.ValidationProblem(c, []web.FieldError{{Field: "line 1", Message: "the header must be " + header + ", followed by at least one row"}})
		return
	}
	var n int
	err = db.InTx(c, s.pool, func(q *dbq.Queries) error {
		var errs []web.FieldError
		for i, row := range rows[1:] {
			line := i + 2
			rowErrs, err := importRow(c, q, kind, row)
			if err != nil {
				return err
			}
			for _, e := range rowErrs {
				errs = append(errs, web.FieldError{Field: fmt.Sprintf("line %d: %s", line, e.Field), Message: e.Message})
			}
			n++
		}
		if len(errs) > 0 {
			return fieldErrorList(errs)
		}
		return nil
	})
	s.catalogWritten(c, err, gin.H{"kind": kind, "imported": n})
}

// importRow checks and writes one CSV row (in the import's transaction);
// a row with problems writes nothing.
func importRow(c *gin.Context, q *dbq.Queries, kind string, row []string) ([]web.FieldError, error) {
	for i, f := range row {
		if domain.TextProblem(f, false) != "" {
			return []web.FieldError{{Field: fmt.Sprintf("column %d", i+1), Message: "must not contain control characters"}}, nil
		}
	}
	switch kind {
	case "products":
		return importProduct(c, q, row)
	case "prices":
		price, err := strconv.ParseInt(row[3], 10, 64)
		if _, derr := time.Parse(time.DateOnly, row[2]); err != nil || derr != nil || price < 0 || price > domain.MaxAmount || !domain.ValidCurrency(row[1]) {
			return []web.FieldError{{Field: "price", Message: "needs an ISO currency, a date as YYYY-MM-DD and a list price of 0 or more minor units"}}, nil
		}
		var out dbq.QuotePrice
		errs, err := insertPrice(c, q, quotePriceBody{SKU: row[0], Currency: row[1], EffectiveFrom: row[2], ListPrice: price}, &out)
		if db.IsUniqueViolation(err) {
			return nil, err
		}
		return errs, err
	}
	sc := domain.Schedule{SKU: row[0], Kind: row[1]}
	for _, pair := range strings.Split(row[2], ";") {
		from, bp, ok := strings.Cut(pair, ":")
		f, err1 := strconv.ParseInt(from, 10, 64)
		b, err2 := strconv.ParseInt(bp, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return []web.FieldError{{Field: "tiers", Message: "tiers are from:bp pairs separated by ; (1:0;10:500)"}}, nil
		}
		sc.Tiers = append(sc.Tiers, domain.VolumeTier{From: f, BP: b})
	}
	var out dbq.QuoteSchedule
	return insertSchedule(c, q, sc, &out)
}

func importProduct(c *gin.Context, q *dbq.Queries, row []string) ([]web.FieldError, error) {
	var errs []web.FieldError
	flag := func(field, v string) bool {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, web.FieldError{Field: field, Message: "must be true or false"})
		}
		return b
	}
	num := func(field, v string) int64 {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, web.FieldError{Field: field, Message: "must be a whole number"})
		}
		return n
	}
	list := func(v string) []string {
		if strings.TrimSpace(v) == "" {
			return []string{}
		}
		return strings.Split(v, ";")
	}
	b := quoteProductBody{Name: row[1], ProductLine: row[2], Unit: row[3], Discountable: flag("discountable", row[4]),
		Active: flag("active", row[5]), MinQty: num("min_qty", row[6]), MaxQty: num("max_qty", row[7]), Requires: list(row[8]), Excludes: list(row[9])}
	if strings.TrimSpace(row[2]) == "" {
		errs = append(errs, web.FieldError{Field: "product_line", Message: "is required"})
	}
	if len(errs) > 0 {
		return errs, nil
	}
	p := productOf(row[0], b)
	if problems := domain.ProductProblems(p); len(problems) > 0 {
		return fieldProblems(problems), nil
	}
	return nil, upsertProduct(c, q, p)
}
