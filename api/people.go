package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// peopleAdminRoles manage users: a partner admin those of its own
// organization, a vendor admin anyone's.
var peopleAdminRoles = []domain.Role{domain.RoleAdmin, domain.RolePartnerAdmin}

// peopleRoutes are users, invitations and partner organizations.
func (s *Server) peopleRoutes() []Route {
	return []Route{
		{http.MethodGet, "/v1/users", peopleAdminRoles, s.listUsers},
		{http.MethodPost, "/v1/users/invitations", peopleAdminRoles, s.inviteUser},
		{http.MethodPost, "/v1/users/:id/deactivate", peopleAdminRoles, s.deactivateUser},
		{http.MethodPut, "/v1/users/:id/role", peopleAdminRoles, s.setUserRole},
		{http.MethodPatch, "/v1/partners/:id", web.AdminRoles, s.updatePartner},
		{http.MethodGet, "/v1/partners/:id/events", web.AdminRoles, s.partnerEvents},
	}
}

// UserView is a user as an admin sees it.
type UserView struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Email         string     `json:"email,omitempty"`
	Role          string     `json:"role"`
	PartnerID     string     `json:"partner_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
}

// InvitationView is a new invitation; Link (holding the single-use token)
// is shown this once to the inviting admin, and e-mailed to the invitee.
type InvitationView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	PartnerID string    `json:"partner_id,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	Link      string    `json:"link"`
}

type inviteRequest struct {
	Email string `json:"email" validate:"required,max=254,printable"`
	Name  string `json:"name" validate:"required,max=200,printable"`
	Role  string `json:"role" validate:"required,max=40,printable"`
	// PartnerID: the organization (vendor admins only; partner admins
	// invite into their own).
	PartnerID string `json:"partner_id" validate:"omitempty,printable,uuid"`
}

type roleRequest struct {
	Role string `json:"role" validate:"required,max=40,printable"`
}

type partnerUpdateRequest struct {
	Type      *string `json:"type" validate:"omitempty,max=40,printable"`
	Tier      *string `json:"tier" validate:"omitempty,min=1,max=50,printable"`
	ProgramID *string `json:"program_id" validate:"omitempty,max=40,printable"`
	Reason    string  `json:"reason" validate:"required,max=2000,multiline"`
}

// organization is the organization p administers for a request: a partner
// admin's own, always; a vendor admin's the partner_id it names (none:
// the vendor).
// A partner_id that is not a partner id is refused whoever sends it.
func organization(p web.Principal, partnerID string) (uuid.NullUUID, bool) {
	var id uuid.UUID
	if partnerID != "" {
		var err error
		if id, err = uuid.Parse(partnerID); err != nil || len(partnerID) != 36 {
			return uuid.NullUUID{}, false
		}
	}
	switch {
	case p.Role.IsPartner():
		return p.Scope(), true
	case partnerID == "":
		return uuid.NullUUID{}, true
	}
	return uuid.NullUUID{UUID: id, Valid: true}, true
}

func (s *Server) listUsers(c *gin.Context) {
	org, ok := organization(web.PrincipalOf(c), c.Query("partner_id"))
	if !ok {
		web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "must be a partner id"}})
		return
	}
	rows, err := s.q.PeopleList(c, org)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]UserView, 0, len(rows))
	for _, r := range rows {
		v := UserView{ID: r.ID.String(), Name: r.Name, Email: r.Email, Role: r.Role, CreatedAt: r.CreatedAt}
		if r.PartnerID.Valid {
			v.PartnerID = r.PartnerID.UUID.String()
		}
		if r.DeactivatedAt.Valid {
			at := r.DeactivatedAt.Time
			v.DeactivatedAt = &at
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
}

// inviteUser invites a person into the caller's organization (a vendor
// admin: any), with a role the caller may grant.
func (s *Server) inviteUser(c *gin.Context) {
	var req inviteRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Name, req.Email = strings.TrimSpace(req.Name), strings.TrimSpace(req.Email)
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	p := web.PrincipalOf(c)
	var errs []web.FieldError
	email, err := domain.NormalizeEmail(req.Email)
	if err != nil {
		errs = append(errs, web.FieldError{Field: "email", Message: err.Error()})
	}
	role := domain.Role(req.Role)
	if !domain.MayGrant(p.Role, role) {
		errs = append(errs, web.FieldError{Field: "role", Message: "you may invite with the roles " + rolesText(domain.InvitableRoles(p.Role))})
	}
	if p.Role.IsPartner() && req.PartnerID != "" && req.PartnerID != p.PartnerID.UUID.String() {
		errs = append(errs, web.FieldError{Field: "partner_id", Message: "a partner admin invites into its own organization only"})
	}
	org, _ := organization(p, req.PartnerID)
	if role.IsPartner() != org.Valid {
		errs = append(errs, web.FieldError{Field: "partner_id", Message: "partner roles need a partner_id; vendor roles take none"})
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	if org.Valid && !p.Role.IsPartner() {
		if _, err := s.q.PartnerGet(c, org.UUID); db.IsNotFound(err) {
			web.ValidationProblem(c, []web.FieldError{{Field: "partner_id", Message: "no such partner"}})
			return
		} else if err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	inv, link, err := db.Invite(c, s.pool, db.Invitation{Email: email, Name: req.Name, Role: role, PartnerID: org, InvitedBy: p.UserID,
		Now: s.now(), LinkBase: consoleBase(c)})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	v := InvitationView{ID: inv.ID.String(), Email: inv.Email, Role: inv.Role, ExpiresAt: inv.ExpiresAt, Link: link}
	if inv.PartnerID.Valid {
		v.PartnerID = inv.PartnerID.UUID.String()
	}
	c.JSON(http.StatusCreated, v)
}

// consoleBase is the address the caller reached dealflow at, which the
// invitation link starts with.
func consoleBase(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func rolesText(rs []domain.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// targetUser finds the user :id that p administers: a partner admin's own
// organization's only (another's answers 404, as an unknown id does).
func (s *Server) targetUser(c *gin.Context, p web.Principal) (dbq.User, bool) {
	id, ok := pathID(c, "user")
	if !ok {
		return dbq.User{}, false
	}
	var u dbq.User
	var err error
	if p.Role.IsPartner() {
		u, err = s.q.UserInOrganization(c, dbq.UserInOrganizationParams{ID: id, PartnerID: p.Scope()})
	} else {
		u, err = s.q.UserByID(c, id)
	}
	if !s.found(c, err, "user") {
		return dbq.User{}, false
	}
	return u, true
}

// deactivateUser deactivates a user: its tokens and console sessions stop
// at once.
func (s *Server) deactivateUser(c *gin.Context) {
	p := web.PrincipalOf(c)
	u, ok := s.targetUser(c, p)
	if !ok || !s.decodeJSON(c, &struct{}{}, true) {
		return
	}
	if u.ID == p.UserID || (u.PersonID.Valid && u.PersonID == p.PersonID) {
		web.Fail(c, http.StatusConflict, web.ProblemConflict, "you cannot deactivate yourself")
		return
	}
	if err := db.DeactivateUser(c, s.pool, u.ID, u.PartnerID, s.now()); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": u.ID.String(), "deactivated": true})
}

// setUserRole changes a user's role, within the roles the caller may
// grant and the user's organization (partner roles for a partner's users).
func (s *Server) setUserRole(c *gin.Context) {
	p := web.PrincipalOf(c)
	u, ok := s.targetUser(c, p)
	if !ok {
		return
	}
	var req roleRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	role := domain.Role(req.Role)
	if !domain.MayGrant(p.Role, role) || role.IsPartner() != u.PartnerID.Valid {
		web.ValidationProblem(c, []web.FieldError{{Field: "role", Message: "not a role you may give this user"}})
		return
	}
	if u.ID == p.UserID {
		web.Fail(c, http.StatusConflict, web.ProblemConflict, "you cannot change your own role")
		return
	}
	nu, err := s.q.UserSetRole(c, dbq.UserSetRoleParams{ID: u.ID, Role: string(role)})
	if db.IsUniqueViolation(err) {
		web.Fail(c, http.StatusConflict, web.ProblemDuplicate, "this person already holds that role")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": nu.ID.String(), "role": nu.Role})
}

// updatePartner changes a partner's type, tier or program, each change an
// event with the admin and the reason.
func (s *Server) updatePartner(c *gin.Context) {
	id, ok := pathID(c, "partner")
	if !ok {
		return
	}
	var req partnerUpdateRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	p := web.PrincipalOf(c)
	ch := db.PartnerChange{Type: req.Type, Tier: req.Tier, Reason: req.Reason, ActorUser: uuid.NullUUID{UUID: p.UserID, Valid: true},
		ActorPerson: p.PersonID, ActorName: p.Name, At: s.now()}
	if req.Type != nil && !domain.PartnerType(*req.Type).Valid() {
		web.ValidationProblem(c, []web.FieldError{{Field: "type", Message: "not a partner type"}})
		return
	}
	if req.ProgramID != nil {
		prog := uuid.NullUUID{}
		if *req.ProgramID != "" {
			pid, err := uuid.Parse(*req.ProgramID)
			if err == nil {
				_, err = s.q.ProgramGet(c, pid)
			}
			if err != nil {
				web.ValidationProblem(c, []web.FieldError{{Field: "program_id", Message: "no such program"}})
				return
			}
			prog = uuid.NullUUID{UUID: pid, Valid: true}
		}
		ch.Program = &prog
	}
	pt, err := db.UpdatePartner(c, s.pool, id, ch)
	if !s.found(c, err, "partner") {
		return
	}
	out := gin.H{"id": pt.ID.String(), "name": pt.Name, "type": pt.Type, "tier": pt.Tier}
	if pt.ProgramID.Valid {
		out["program_id"] = pt.ProgramID.UUID.String()
	}
	c.JSON(http.StatusOK, out)
}

// PartnerEventView is one change to a partner organization.
type PartnerEventView struct {
	Kind     string    `json:"kind"`
	Old      string    `json:"old"`
	New      string    `json:"new"`
	Actor    string    `json:"actor"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
	PersonID string    `json:"actor_person_id,omitempty"`
}

// partnerEvents lists a partner's changes, oldest first (its tier history
// is those of kind tier).
func (s *Server) partnerEvents(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil || len(c.Param("id")) != 36 {
		notFound(c, "partner")
		return
	}
	if _, err := s.q.PartnerGet(c, id); db.IsNotFound(err) {
		notFound(c, "partner")
		return
	} else if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	rows, err := s.q.PartnerEvents(c, id)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]PartnerEventView, 0, len(rows))
	for _, r := range rows {
		v := PartnerEventView{Kind: r.Kind, Old: r.OldValue, New: r.NewValue, Actor: r.ActorName, Reason: r.Reason, At: r.At}
		if r.ActorPersonID.Valid {
			v.PersonID = r.ActorPersonID.UUID.String()
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, gin.H{"events": out})
}
