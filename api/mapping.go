package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/crm"
	"github.com/dealflow/dealflow/internal/exports"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
)

var (
	// mappingReadRoles read overlap reports, each scoped in SQL: a partner
	// its own accounts, a seller the accounts they own, managers all.
	mappingReadRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleSalesRep, domain.RoleChannelManager, domain.RoleAdmin}
	// mappingShareRoles decide what a partner shares: its admins.
	mappingShareRoles = []domain.Role{domain.RolePartnerAdmin}
)

// mappingRoutes are account mapping's endpoints (docs/cosell.md).
func (s *Server) mappingRoutes() []Route {
	return []Route{
		{http.MethodPost, "/v1/mapping/accounts", web.PartnerRoles, s.uploadPartnerAccounts},
		{http.MethodGet, "/v1/mapping/opt-ins", web.PartnerRoles, s.listOptIns},
		{http.MethodPut, "/v1/mapping/opt-ins", mappingShareRoles, s.setOptIns},
		{http.MethodGet, "/v1/mapping/overlaps", mappingReadRoles, s.mappingOverlaps},
		{http.MethodGet, "/v1/mapping/overlaps.csv", mappingReadRoles, s.mappingOverlapsCSV},
		{http.MethodGet, "/v1/cosell/account-partners", bookRoles, s.accountPartners},
	}
}

// uploadPartnerAccounts upserts the caller's organization's accounts by
// its external id, from JSON ({"accounts":[...]}) or CSV (text/csv, the
// columns of crm.PartnerAccountColumns): all rows or none, every bad row
// reported. What changed is re-mapped in the same transaction.
func (s *Server) uploadPartnerAccounts(c *gin.Context) {
	var rows []crm.PartnerAccount
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "text/csv" {
		body, ok := s.readBody(c)
		if !ok {
			return
		}
		var rowErrs []crm.RowError
		var err error
		rows, rowErrs, err = crm.ReadPartnerAccountsCSV(strings.NewReader(string(body)))
		if err != nil {
			web.ValidationProblem(c, []web.FieldError{{Field: "csv", Message: err.Error()}})
			return
		}
		if len(rowErrs) > 0 {
			s.importDone(c, "accounts", crm.Result{}, rowErrs, nil)
			return
		}
	} else {
		var req struct {
			Accounts []crm.PartnerAccount `json:"accounts"`
		}
		if !s.decodeJSONLimit(c, &req, false, importBodyLimit) {
			return
		}
		rows = req.Accounts
	}
	res, rowErrs, err := crm.UpsertPartnerAccounts(c, s.pool, web.PrincipalOf(c).Scope().UUID, rows)
	s.importDone(c, "accounts", res, rowErrs, err)
}

// readBody reads a bulk body up to importBodyLimit, answering the client
// itself when it cannot.
func (s *Server) readBody(c *gin.Context) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, importBodyLimit))
	if err != nil {
		web.Fail(c, http.StatusRequestEntityTooLarge, web.ProblemTooLarge, fmt.Sprintf("request body exceeds %d bytes or could not be read", importBodyLimit))
		return nil, false
	}
	return body, true
}

// MappingCategory is one account-mapping category: the partner's relation
// to its account and the vendor's category of the match.
type MappingCategory struct {
	PartnerRelation string `json:"partner_relation" validate:"required,oneof=customer prospect"`
	VendorCategory  string `json:"vendor_category" validate:"required,oneof=customer prospect opportunity"`
}

// OptInsView lists the categories a partner shares, and its consent
// history: every category opted into and withdrawn, oldest first.
type OptInsView struct {
	Categories []MappingCategory `json:"categories"`
	History    []OptInEventView  `json:"history"`
}

// OptInEventView is one change of a partner's account-mapping consent.
type OptInEventView struct {
	PartnerRelation string    `json:"partner_relation"`
	VendorCategory  string    `json:"vendor_category"`
	Action          string    `json:"action"` // opted_in or withdrawn
	ActorName       string    `json:"actor_name"`
	OccurredAt      time.Time `json:"occurred_at"`
}

func (s *Server) listOptIns(c *gin.Context) {
	partner := web.PrincipalOf(c).Scope().UUID
	rows, err := s.q.MappingOptInList(c, partner)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	history, err := s.q.MappingOptInHistory(c, partner)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := OptInsView{Categories: make([]MappingCategory, 0, len(rows)), History: make([]OptInEventView, 0, len(history))}
	for _, r := range rows {
		out.Categories = append(out.Categories, MappingCategory{PartnerRelation: r.PartnerRelation, VendorCategory: r.VendorCategory})
	}
	for _, h := range history {
		out.History = append(out.History, OptInEventView{PartnerRelation: h.PartnerRelation, VendorCategory: h.VendorCategory,
			Action: h.Action, ActorName: h.ActorName, OccurredAt: h.OccurredAt})
	}
	c.JSON(http.StatusOK, out)
}

// optInsRequest is the body of PUT /v1/mapping/opt-ins: the categories
// the caller's organization shares (a named type, so that a field error
// names its path, categories[i].field).
type optInsRequest struct {
	Categories []MappingCategory `json:"categories" validate:"max=6,dive"`
}

// setOptIns replaces the categories the caller's organization shares.
func (s *Server) setOptIns(c *gin.Context) {
	var req optInsRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	p := web.PrincipalOf(c)
	cats := make([]crm.OptIn, 0, len(req.Categories))
	for _, cat := range req.Categories {
		cats = append(cats, crm.OptIn{PartnerRelation: cat.PartnerRelation, VendorCategory: cat.VendorCategory})
	}
	err := crm.SetOptIns(c, s.pool, p.Scope().UUID, p.UserID, s.now(), cats)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.listOptIns(c)
}

// PartnerOverlapView is one of a partner's accounts that the vendor also
// knows, in one vendor category.
type PartnerOverlapView struct {
	PartnerAccountID string  `json:"partner_account_id"`
	ExternalID       string  `json:"external_id"`
	Name             string  `json:"name"`
	Domain           string  `json:"domain"`
	Country          string  `json:"country"`
	PartnerRelation  string  `json:"partner_relation"`
	VendorCategory   string  `json:"vendor_category"`
	Score            float64 `json:"score"`
	Matches          int64   `json:"matches"`
}

// VendorOverlapView is one overlap as the vendor sees it.
type VendorOverlapView struct {
	PartnerID          string  `json:"partner_id"`
	PartnerName        string  `json:"partner_name"`
	PartnerAccountID   string  `json:"partner_account_id"`
	PartnerExternalID  string  `json:"partner_external_id"`
	PartnerAccountName string  `json:"partner_account_name"`
	PartnerRelation    string  `json:"partner_relation"`
	VendorKind         string  `json:"vendor_kind"`
	VendorID           string  `json:"vendor_id"`
	VendorName         string  `json:"vendor_name"`
	VendorCategory     string  `json:"vendor_category"`
	OwnerEmail         string  `json:"owner_email"`
	Score              float64 `json:"score"`
	Class              string  `json:"class"`
	Explanation        string  `json:"explanation"`
}

func (s *Server) mappingReport(c *gin.Context) (read.MappingReport, bool) {
	f, errs := read.ParseMappingFilter(c.Request.URL.Query())
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return read.MappingReport{}, false
	}
	rep, err := s.read.MappingOverlaps(c, web.PrincipalOf(c), f)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return rep, false
	}
	return rep, true
}

// mappingOverlaps answers the overlap report, filtered by partner_relation,
// vendor_category, min_score, q (a name) and, for the vendor, partner_id.
func (s *Server) mappingOverlaps(c *gin.Context) {
	rep, ok := s.mappingReport(c)
	if !ok {
		return
	}
	if web.PrincipalOf(c).Role.IsPartner() {
		out := make([]PartnerOverlapView, 0, len(rep.Partner))
		for _, r := range rep.Partner {
			out = append(out, PartnerOverlapView{PartnerAccountID: r.ID.String(), ExternalID: r.ExternalID, Name: r.Name, Domain: r.Domain,
				Country: r.Country, PartnerRelation: r.PartnerRelation, VendorCategory: r.VendorCategory, Score: r.Score, Matches: r.Matches})
		}
		c.JSON(http.StatusOK, gin.H{"overlaps": out})
		return
	}
	out := make([]VendorOverlapView, 0, len(rep.Vendor))
	for _, r := range rep.Vendor {
		out = append(out, VendorOverlapView{PartnerID: r.PartnerID.String(), PartnerName: r.PartnerName, PartnerAccountID: r.PartnerAccountID.String(),
			PartnerExternalID: r.PartnerExternalID, PartnerAccountName: r.PartnerAccountName, PartnerRelation: r.PartnerRelation,
			VendorKind: r.VendorKind, VendorID: r.VendorID.String(), VendorName: r.VendorName, VendorCategory: r.VendorCategory,
			OwnerEmail: r.OwnerEmail, Score: r.Score, Class: r.Class, Explanation: r.Explanation})
	}
	c.JSON(http.StatusOK, gin.H{"overlaps": out})
}

// mappingOverlapsCSV downloads the same report as CSV.
func (s *Server) mappingOverlapsCSV(c *gin.Context) {
	rep, ok := s.mappingReport(c)
	if !ok {
		return
	}
	web.Download(c, s.log, "overlaps.csv", func(w io.Writer) error {
		if web.PrincipalOf(c).Role.IsPartner() {
			return exports.MappingPartnerOverlaps(w, rep.Partner)
		}
		return exports.MappingVendorOverlaps(w, rep.Vendor)
	})
}

// AccountPartnerView is a seller's account with a partner that knows the
// customer, and where to invite that partner to co-sell.
type AccountPartnerView struct {
	AccountID       string  `json:"account_id"`
	AccountName     string  `json:"account_name"`
	Domain          string  `json:"domain"`
	Relation        string  `json:"relation"`
	OwnerEmail      string  `json:"owner_email"`
	PartnerID       string  `json:"partner_id"`
	PartnerName     string  `json:"partner_name"`
	PartnerRelation string  `json:"partner_relation"`
	Score           float64 `json:"score"`
	InvitePath      string  `json:"invite_path"`
}

// accountPartners is the seller's view: for their own accounts, the
// opted-in partners that know the customer.
func (s *Server) accountPartners(c *gin.Context) {
	rows, err := s.read.MappingSellerPartners(c, web.PrincipalOf(c))
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]AccountPartnerView, 0, len(rows))
	for _, r := range rows {
		out = append(out, AccountPartnerView{AccountID: r.AccountID.String(), AccountName: r.AccountName, Domain: r.Domain,
			Relation: r.Relation, OwnerEmail: r.OwnerEmail, PartnerID: r.PartnerID.String(), PartnerName: r.PartnerName,
			PartnerRelation: r.PartnerRelation, Score: r.Score, InvitePath: read.CoSellInvitePath(r.AccountID, r.PartnerID)})
	}
	c.JSON(http.StatusOK, gin.H{"accounts": out})
}
