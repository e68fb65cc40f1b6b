package console

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/steps"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// leadAdminRoutes are the channel managers' lead pages: a program's
// routing rules and policy, partners' lead capacity, a new lead and a CSV
// import.
func (s *Console) leadAdminRoutes() []Route {
	return []Route{
		{http.MethodGet, "/console/lead-routing", web.DeciderRoles, s.leadRouting},
		{http.MethodPost, "/console/lead-routing/:id/policy", web.DeciderRoles, s.leadRoutingPolicy},
		{http.MethodPost, "/console/lead-routing/:id/rules", web.DeciderRoles, s.leadRoutingRule},
		{http.MethodPost, "/console/lead-routing/:id/rules/:n/active", web.DeciderRoles, s.leadRoutingActive},
		{http.MethodPost, "/console/lead-profiles", web.DeciderRoles, s.leadRoutingProfile},
		{http.MethodGet, "/console/leads/new", web.DeciderRoles, s.leadNew},
		{http.MethodPost, "/console/leads/new", web.DeciderRoles, s.leadCreate},
		{http.MethodPost, "/console/leads/import", web.DeciderRoles, s.leadImport},
	}
}

// routingPage is the routing page's data: the programs, the one shown,
// its policy's mode, its rules and the partners taking its leads.
type routingPage struct {
	Programs []dbq.Program
	Program  uuid.UUID
	Policy   domain.LeadPolicy
	Rules    []domain.RoutingRule
	// Version identifies the rules and policy the page shows; a change
	// sent from a page older than the stored rules is refused.
	Version string
	// Edit is the rule the form edits (-1: the form adds one); Form its
	// values.
	Edit     int
	Form     steps.RoutingRuleBody
	Partners []profileLine
	Names    []option
	Types    []string
	Tiers    []string
}

// profileLine is a partner taking the program's leads.
type profileLine struct {
	dbq.LeadCandidatesRow
	Name string
}

// Checked reports whether the rule form holds partner type t.
func (p routingPage) Checked(t string) bool {
	for _, x := range p.Form.PartnerTypes {
		if x == t {
			return true
		}
	}
	return false
}

func routingVersion(p dbq.LeadProgramRow) string {
	sum := sha256.Sum256(append(append([]byte{}, p.LeadPolicy...), p.LeadRules...))
	return hex.EncodeToString(sum[:8])
}

func parseRules(raw []byte) []domain.RoutingRule {
	var rules []domain.RoutingRule
	_ = json.Unmarshal(raw, &rules)
	return rules
}

// leadRouting shows a program's (?program=, else the default's) lead
// policy, its ordered rules with an edit link and an on/off switch each,
// the rule form (?edit=N fills it with rule N) and the partners taking
// its leads with their capacity.
func (s *Console) leadRouting(c *gin.Context) {
	progs, err := s.q.ProgramList(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	var id uuid.NullUUID
	if v, err := uuid.Parse(c.Query("program")); err == nil {
		id = uuid.NullUUID{UUID: v, Valid: true}
	}
	prog, err := s.q.LeadProgram(c, id)
	if db.IsNotFound(err) {
		s.notFound(c)
		return
	} else if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	pol, _ := domain.ParseLeadPolicy(prog.LeadPolicy)
	d := routingPage{Programs: progs, Program: prog.ID, Policy: pol, Rules: parseRules(prog.LeadRules), Version: routingVersion(prog), Edit: -1,
		Types: []string{"reseller", "var", "distributor", "msp", "si", "referral", "agent"}, Tiers: []string{"registered", "silver", "gold", "platinum"}}
	if n, err := strconv.Atoi(c.Query("edit")); err == nil && n >= 0 && n < len(d.Rules) {
		d.Edit, d.Form = n, steps.RuleBodyOf(d.Rules[n])
	}
	cands, err := s.q.LeadCandidates(c, dbq.LeadCandidatesParams{ProgramID: prog.ID, PickedSince: s.now().Add(-domain.LeadPickHold)})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	partners, err := s.q.PartnersByName(c)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	names := map[uuid.UUID]string{}
	for _, p := range partners {
		names[p.ID] = p.Name
		d.Names = append(d.Names, option{p.ID.String(), p.Name})
	}
	for _, cd := range cands {
		d.Partners = append(d.Partners, profileLine{LeadCandidatesRow: cd, Name: names[cd.PartnerID]})
	}
	s.render(c, http.StatusOK, "lead_routing.html", page{Title: "Lead routing", Data: d})
}

// routingChange reads the program and checks the form (bad: what is wrong
// with its fields, "" when nothing) and the page's version; it answers
// (redirecting back with "Not done") and returns false when the change
// cannot go ahead.
func (s *Console) routingChange(c *gin.Context, bad string) (dbq.LeadProgramRow, func(string), bool) {
	id, err := uuid.Parse(c.Param("id"))
	back := func(msg string) {
		c.Redirect(http.StatusSeeOther, "/console/lead-routing?program="+c.Param("id")+"&done="+url.QueryEscape(msg))
	}
	var prog dbq.LeadProgramRow
	if err == nil {
		prog, err = s.q.LeadProgram(c, uuid.NullUUID{UUID: id, Valid: true})
	}
	switch {
	case db.IsNotFound(err) || id == uuid.Nil:
		s.notFound(c)
		return prog, back, false
	case err != nil:
		web.Unavailable(c, s.log, err)
		return prog, back, false
	}
	if bad != "" {
		back("Not done: " + bad)
		return prog, back, false
	}
	if c.PostForm("version") != routingVersion(prog) {
		back("Not done: the routing changed since this page was shown: the page must be reloaded and the change made again")
		return prog, back, false
	}
	return prog, back, true
}

// saveRouting validates and stores a program's policy and rules through
// the API's own request (steps.LeadRoutingRequest).
func (s *Console) saveRouting(c *gin.Context, prog dbq.LeadProgramRow, policy json.RawMessage, rules []domain.RoutingRule, back func(string), done string) {
	req := steps.LeadRoutingRequest{Policy: policy}
	for _, r := range rules {
		req.Rules = append(req.Rules, steps.RuleBodyOf(r))
	}
	pol, raw, errs := req.Routing(s.validate)
	if len(errs) > 0 {
		back("Not done: " + web.FieldErrorText(errs))
		return
	}
	if _, err := s.q.LeadProgramSetRouting(c, dbq.LeadProgramSetRoutingParams{ID: prog.ID, LeadPolicy: pol, LeadRules: raw}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	back(done)
}

// leadRoutingPolicy sets the program's offer mode (round-robin, or
// broadcast to N partners), keeping the rest of its lead policy.
func (s *Console) leadRoutingPolicy(c *gin.Context) {
	mode, to := c.PostForm("mode"), strings.TrimSpace(c.PostForm("broadcast_to"))
	var n int
	var bad string
	if mode != domain.RouteRoundRobin && mode != domain.RouteBroadcast {
		bad = "mode: must be round_robin or broadcast"
	} else if v, err := strconv.Atoi(to); to != "" && err != nil {
		bad = "broadcast to: must be a whole number of partners"
	} else {
		n = v
	}
	prog, back, ok := s.routingChange(c, bad)
	if !ok {
		return
	}
	fields := map[string]any{}
	_ = json.Unmarshal(prog.LeadPolicy, &fields)
	if fields == nil {
		fields = map[string]any{}
	}
	fields["mode"] = mode
	if to != "" {
		fields["broadcast_to"] = n
	}
	raw, _ := json.Marshal(fields)
	s.saveRouting(c, prog, raw, parseRules(prog.LeadRules), back, "Done: the offer mode is saved")
}

// leadRoutingRule adds a rule at the end of the list, or replaces rule
// ?index= with the form's.
func (s *Console) leadRoutingRule(c *gin.Context) {
	_ = c.Request.ParseForm()
	list := func(k string) []string { return steps.SplitList(strings.ReplaceAll(c.PostForm(k), ",", ";")) }
	b := steps.RoutingRuleBody{Name: strings.TrimSpace(c.PostForm("name")), Countries: upperAll(list("countries")), Regions: list("regions"),
		ProductLines: list("product_lines"), LeadTags: list("lead_tags"), PartnerTypes: c.Request.PostForm["partner_types"],
		MinTier: c.PostForm("min_tier"), PartnerTags: list("partner_tags"), Inactive: c.PostForm("inactive") == "yes"}
	var bad string
	if err := s.validate.Struct(&b); err != nil {
		bad = web.FieldErrorText(web.FieldErrors(err))
	}
	prog, back, ok := s.routingChange(c, bad)
	if !ok {
		return
	}
	rules := parseRules(prog.LeadRules)
	done := "Done: rule " + b.Name + " added"
	if v := c.PostForm("index"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n >= len(rules) {
			back("Not done: index: must name one of the rules")
			return
		}
		rules[n], done = b.Rule(), "Done: rule "+b.Name+" saved"
	} else {
		rules = append(rules, b.Rule())
	}
	s.saveRouting(c, prog, prog.LeadPolicy, rules, back, done)
}

// leadRoutingActive switches rule N off (kept, takes no lead) or back on.
func (s *Console) leadRoutingActive(c *gin.Context) {
	prog, back, ok := s.routingChange(c, "")
	if !ok {
		return
	}
	rules := parseRules(prog.LeadRules)
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 0 || n >= len(rules) {
		back("Not done: the rule must be one of the program's rules")
		return
	}
	rules[n].Inactive = c.PostForm("active") != "yes"
	state := "on"
	if rules[n].Inactive {
		state = "off"
	}
	s.saveRouting(c, prog, prog.LeadPolicy, rules, back, "Done: rule "+rules[n].Name+" is "+state)
}

// leadRoutingProfile sets a partner's lead profile (what it covers, its
// capacity and weight) with the API's request and validation.
func (s *Console) leadRoutingProfile(c *gin.Context) {
	back := func(msg string) {
		q := url.Values{"done": {msg}}
		if id, err := uuid.Parse(c.PostForm("program")); err == nil {
			q.Set("program", id.String())
		}
		c.Redirect(http.StatusSeeOther, "/console/lead-routing?"+q.Encode())
	}
	pid, err := uuid.Parse(c.PostForm("partner_id"))
	if err != nil {
		back("Not done: partner: is required")
		return
	}
	list := func(k string) []string { return steps.SplitList(strings.ReplaceAll(c.PostForm(k), ",", ";")) }
	req := steps.NewLeadProfileRequest()
	req.Countries, req.ProductLines, req.Tags = upperAll(list("countries")), list("product_lines"), list("tags")
	for _, f := range []struct {
		name string
		dst  *int32
	}{{"capacity", &req.Capacity}, {"weight", &req.Weight}} {
		if v := strings.TrimSpace(c.PostForm(f.name)); v != "" {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				back("Not done: " + f.name + ": must be a whole number")
				return
			}
			*f.dst = int32(n)
		}
	}
	if err := s.validate.Struct(&req); err != nil {
		back("Not done: " + web.FieldErrorText(web.FieldErrors(err)))
		return
	}
	_, err = s.q.LeadProfileUpsert(c, dbq.LeadProfileUpsertParams{PartnerID: pid, Countries: orEmpty(req.Countries),
		ProductLines: orEmpty(domain.NormalizeProductLines(req.ProductLines)), Tags: orEmpty(req.Tags), Capacity: req.Capacity, Weight: req.Weight})
	switch {
	case db.IsForeignKeyViolation(err):
		back("Not done: partner: must be one of the partners")
	case err != nil:
		web.Unavailable(c, s.log, err)
	default:
		back("Done: the partner's lead profile is saved")
	}
}

func upperAll(s []string) []string {
	for i := range s {
		s[i] = strings.ToUpper(s[i])
	}
	return s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
