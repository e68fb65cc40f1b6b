package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/crm"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/dealflow/dealflow/workflows/incentive"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// routeDoc documents one route for the OpenAPI description: the router
// says path, method and roles; this says what goes in and comes out.
type routeDoc struct {
	Summary  string
	Body     any // a value of the request body's type (nil: none)
	Response any // a value of the success body's type (nil: no JSON body)
	Status   int // success status (default 200)
	Media    string
	Query    []string
}

// routeDocs documents every route of Routes(); TestOpenAPIMatchesRouter
// fails when a route has no entry here or an entry has no route.
func routeDocs() map[string]routeDoc {
	step := func(summary string, body any) routeDoc {
		return routeDoc{Summary: summary, Body: body, Response: read.DealView{}}
	}
	list := func(key string, v any) map[string]any { return map[string]any{key: v} }
	docs := map[string]routeDoc{
		"GET /healthz":                             {Summary: "Liveness", Response: map[string]string{}},
		"GET /readyz":                              {Summary: "Readiness of PostgreSQL and Temporal", Response: map[string]string{}},
		"GET /openapi.json":                        {Summary: "This description", Response: map[string]any{}},
		"POST /v1/deals":                           {Summary: "Register a deal (waits until it is persisted and screened)", Body: steps.CreateDealRequest{}, Response: read.DealView{}, Status: 201},
		"GET /v1/deals":                            {Summary: "List deals (partners: their organization's)", Response: list("deals", []read.DealView{}), Query: []string{"status", "partner_id", "escalated", "expiring_before", "cursor", "limit"}},
		"GET /v1/deals/:id":                        {Summary: "A deal with its timeline", Response: read.DealView{}},
		"GET /v1/deals/:id/timeline":               {Summary: "A deal's events, oldest first", Response: list("events", []read.EventView{})},
		"GET /v1/deals/:id/conflicts":              {Summary: "What a deal conflicts with, side by side", Response: map[string]any{}},
		"GET /v1/inbox":                            {Summary: "The channel managers' inbox, by SLA due time", Response: list("items", []read.InboxItem{}), Query: []string{"limit", "offset"}},
		"POST /v1/conflict-checks":                 {Summary: "Check a customer for conflicts without registering", Body: conflictCheckRequest{}, Response: map[string]any{}},
		"POST /v1/accounts/import":                 {Summary: "Upsert CRM accounts by external id, all or nothing", Body: list("accounts", []crm.Account{}), Response: map[string]any{}},
		"POST /v1/opportunities/import":            {Summary: "Upsert direct-sales opportunities by external id, all or nothing", Body: list("opportunities", []crm.Opportunity{}), Response: map[string]any{}},
		"GET /v1/programs":                         {Summary: "Partner programs with their effective policy", Response: list("programs", []ProgramView{})},
		"POST /v1/programs":                        {Summary: "Create a partner program", Body: programRequest{}, Response: ProgramView{}, Status: 201},
		"PUT /v1/programs/:id":                     {Summary: "Change a partner program", Body: programRequest{}, Response: ProgramView{}},
		"GET /v1/incentive-programs":               {Summary: "Incentive programs with their latest rules", Response: list("programs", []IncentiveProgramView{})},
		"POST /v1/incentive-programs":              {Summary: "Create an incentive program and its schedule", Body: steps.IncentiveProgramRequest{}, Response: IncentiveProgramView{}, Status: 201},
		"POST /v1/incentive-programs/:id/versions": {Summary: "Publish new rules for an incentive program", Body: steps.ProgramVersionRequest{}, Response: IncentiveProgramView{}, Status: 201},
		"POST /v1/cycles":                          {Summary: "Start an incentive cycle for a period that has ended", Body: startCycleRequest{}, Response: map[string]string{}, Status: 202},
		"GET /v1/cycles":                           {Summary: "Incentive cycles", Response: list("cycles", []read.CycleView{})},
		"GET /v1/cycles/:id":                       {Summary: "A cycle with its review history and workflow state", Response: read.CycleView{}},
		"GET /v1/cycles/:id/lines":                 {Summary: "A cycle's statement lines, after adjustments", Response: list("lines", []read.CycleLineView{}), Query: []string{"partner_id", "after"}},
		"GET /v1/cycles/:id/excluded-deals":        {Summary: "Deals the cycle froze but does not pay (another currency), one by one", Response: list("excluded_deals", []read.ExcludedDealView{}), Query: []string{"partner_id", "after"}},
		"GET /v1/cycles/:id/payouts.csv":           {Summary: "The cycle's payout file for accounts payable", Media: "text/csv"},
		"GET /v1/cycles/:id/statements.csv":        {Summary: "Every statement line of the cycle", Media: "text/csv"},
		"GET /v1/ledger.csv":                       {Summary: "The ledger in chain order, with hashes", Media: "text/csv"},
		"GET /v1/ledger/verification":              {Summary: "Verify the ledger's hash chain and balances now", Response: domain.LedgerReport{}},
		"GET /v1/statements":                       {Summary: "Published statements (partners: their own)", Response: list("statements", []StatementView{}), Query: []string{"partner_id"}},
		"GET /v1/statements/:id/lines":             {Summary: "The lines of one published statement", Response: list("lines", []read.CycleLineView{}), Query: []string{"partner_id"}},
		"GET /v1/statement-lines/:id/explain":      {Summary: "Why a statement line pays what it pays", Response: read.Explanation{}},
		"GET /v1/statement-lines/:id/deals.csv":    {Summary: "Every deal behind a statement line, with what each earned", Media: "text/csv"},
		"GET /v1/tokens":                           {Summary: "API tokens, newest first (at most 1000), with who holds them; never their hashes", Response: list("tokens", []TokenView{})},
		"POST /v1/tokens/:id/revoke":               {Summary: "Revoke a token and end the console sessions opened with it", Response: RevokedTokenView{}},
	}
	for _, st := range steps.Deal() {
		docs["POST /v1/deals/:id/"+st.Path] = step(strings.ReplaceAll(st.Path, "-", " ")+" (a step of the deal's workflow)", st.NewBody())
	}
	cycleStep := map[string]string{incentive.UpdateCycleAdjust: "Adjust a line (finance)", incentive.UpdateCycleHold: "Hold a partner's payout (finance)",
		incentive.UpdateCycleRelease: "Release a held partner (finance)", incentive.UpdateCycleApprove: "Approve a cycle for payout (finance, four-eyes)"}
	for _, st := range steps.Cycle() {
		docs["POST /v1/cycles/:id"+st.Path] = routeDoc{Summary: cycleStep[st.Update], Body: st.NewBody(), Response: incentive.CycleState{}}
	}
	docs["POST /v1/deals/:id/cosell"] = routeDoc{Summary: "Ask the vendor's sellers for co-selling help on an approved deal (waits until routed)", Body: coSellRequest{}, Response: EngagementView{}, Status: 201}
	docs["GET /v1/cosell/engagements"] = routeDoc{Summary: "Co-sell engagements (partners: their own; sellers: assigned to them)", Response: list("engagements", []EngagementView{}), Query: []string{"status"}}
	docs["GET /v1/cosell/engagements/:id"] = routeDoc{Summary: "A co-sell engagement with its plan, notes and timeline", Response: EngagementView{}}
	docs["GET /v1/cosell/territories"] = routeDoc{Summary: "Sellers' territory rules", Response: list("territories", []TerritoryView{})}
	docs["POST /v1/cosell/territories"] = routeDoc{Summary: "Give a seller a territory (country and/or product line)", Body: territoryRequest{}, Response: TerritoryView{}, Status: 201}
	docs["GET /v1/cosell/accounts"] = routeDoc{Summary: "CRM accounts owned by sellers (sellers: their own)", Response: list("accounts", []SellerAccountView{})}
	for _, st := range coSellSteps() {
		docs["POST /v1/cosell/engagements/:id/"+st.Path] = routeDoc{Summary: strings.ReplaceAll(st.Path, "-", " ") + " (a step of the engagement's workflow)", Body: st.NewBody(), Response: EngagementView{}}
	}
	quoteDocs(docs)
	peopleDocs(docs)
	coSellPolicyDocs(docs)
	signInDocs(docs)
	scorecardDocs(docs)
	webhookDocs(docs)
	mappingDocs(docs)
	sharedOpportunityDocs(docs)
	for k, v := range leadDocs() {
		docs[k] = v
	}
	for k, v := range notifyDocs() {
		docs[k] = v
	}
	for k, v := range analyticsDocs() {
		docs[k] = v
	}
	return docs
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// OpenAPI returns the OpenAPI 3.1 description of Routes(), with schemas
// reflected from the request and response types and their validation tags.
func (s *Server) OpenAPI() map[string]any {
	docs := routeDocs()
	sb := &schemaBuilder{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range s.Routes() {
		d := docs[rt.Method+" "+rt.Path]
		p := pathParam.ReplaceAllString(rt.Path, "{$1}")
		op := map[string]any{
			"operationId": operationID(rt.Method, rt.Path),
			"summary":     d.Summary,
			"tags":        []string{tagOf(rt.Path)},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"schema": map[string]any{"type": "string", "format": "uuid"}})
		}
		for _, q := range d.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if d.Body != nil {
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": sb.schema(reflect.TypeOf(d.Body))}}}
		}
		status := d.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case d.Media != "":
			ok["content"] = map[string]any{d.Media: map[string]any{"schema": map[string]any{"type": "string"}}}
		case d.Response != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": sb.schema(reflect.TypeOf(d.Response))}}
		}
		problem := map[string]any{"$ref": "#/components/responses/Problem"}
		responses := map[string]any{strconv.Itoa(status): ok, "4XX": problem, "default": problem}
		if len(rt.Roles) > 0 {
			var roles []string
			for _, r := range rt.Roles {
				roles = append(roles, string(r))
			}
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["description"] = "Roles: " + strings.Join(roles, ", ") + "."
			responses["401"], responses["403"], responses["429"] = problem, problem, problem
		} else {
			op["security"] = []any{}
		}
		if d.Body != nil {
			responses["422"] = problem
		}
		op["responses"] = responses
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	sb.schema(reflect.TypeOf(web.Problem{}))
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "dealflow API", "version": "1",
			"description": "Deal registration, conflict detection and partner incentives. Errors are RFC 9457 problem+json.",
			"license":     map[string]any{"name": "Apache-2.0", "identifier": "Apache-2.0"}},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An API token (dft_...) from `dealflow token create`."}},
			"schemas": sb.defs,
			"responses": map[string]any{"Problem": map[string]any{"description": "A problem (RFC 9457)",
				"content": map[string]any{web.ProblemContentType: map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}},
		},
	}
}

func (s *Server) openAPIJSON(c *gin.Context) { c.JSON(http.StatusOK, s.OpenAPI()) }

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ':' }) {
		if part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func tagOf(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	if parts[0] == "" || !strings.HasPrefix(path, "/v1/") {
		return "operations"
	}
	return parts[0]
}

// schemaBuilder reflects Go types into JSON Schema (2020-12, as OpenAPI
// 3.1 uses), named struct types into components.schemas.
type schemaBuilder struct{ defs map[string]any }

var (
	timeType = reflect.TypeOf(time.Time{})
	uuidType = reflect.TypeOf(uuid.UUID{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

func (b *schemaBuilder) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == uuidType:
		return map[string]any{"type": "string", "format": "uuid"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": b.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": b.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" {
			return b.object(t)
		}
		name := schemaName(t)
		if _, ok := b.defs[name]; !ok {
			b.defs[name] = map[string]any{} // recursion guard
			b.defs[name] = b.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	pkg := t.PkgPath()[strings.LastIndexByte(t.PkgPath(), '/')+1:]
	// The API's own types, and those of the packages it shares with the
	// console (the read layer, the step tables, the HTTP plumbing), are
	// named as they always were: without a prefix.
	if pkg == "api" || pkg == "read" || pkg == "steps" || pkg == "web" {
		return strings.ToUpper(name[:1]) + name[1:]
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + name
}

func (b *schemaBuilder) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			if f.Anonymous {
				if emb, ok := b.object(f.Type)["properties"].(map[string]any); ok {
					for k, v := range emb {
						props[k] = v
					}
				}
				continue
			}
			name = f.Name
		}
		sch := b.schema(f.Type)
		rules := f.Tag.Get("validate")
		for _, rule := range strings.Split(rules, ",") {
			k, v, _ := strings.Cut(rule, "=")
			if _, isRef := sch["$ref"]; isRef {
				break
			}
			switch k {
			case "required":
				required = append(required, name)
			case "max", "lte":
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					switch sch["type"] {
					case "string":
						sch["maxLength"] = n
					case "array":
						sch["maxItems"] = n
					case "integer", "number":
						sch["maximum"] = n
					}
				}
			case "min", "gte", "gt":
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					switch sch["type"] {
					case "string":
						sch["minLength"] = n
					case "array":
						sch["minItems"] = n
					case "integer", "number":
						if k == "gt" {
							sch["exclusiveMinimum"] = n
						} else {
							sch["minimum"] = n
						}
					}
				}
			case "oneof":
				sch["enum"] = strings.Fields(v)
			case "email":
				sch["format"] = "email"
			case "uuid":
				sch["format"] = "uuid"
			case "datetime":
				sch["format"] = "date"
			case "currency":
				sch["pattern"] = "^[A-Za-z]{3}$"
			}
			if k == "dive" {
				break
			}
		}
		if strings.Contains(opts, "omitempty") || f.Type.Kind() == reflect.Pointer {
			required = slices.DeleteFunc(required, func(r string) bool { return r == name && !strings.Contains(rules, "required") })
		}
		props[name] = sch
	}
	sort.Strings(required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = slices.Compact(required)
	}
	return out
}
