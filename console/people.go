package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/passwords"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// peopleAdmins may manage users: partner admins their own organization's,
// vendor admins the vendor's.
var peopleAdmins = []domain.Role{domain.RoleAdmin, domain.RolePartnerAdmin}

// peopleRoutes are the password sign-in, accepting an invitation, and the
// users page of admins.
func (s *Console) peopleRoutes() []Route {
	return []Route{
		{http.MethodPost, "/console/sign-in/password", nil, s.passwordSignIn},
		{http.MethodGet, db.AcceptPath, nil, s.acceptPage},
		{http.MethodPost, db.AcceptPath, nil, s.accept},
		{http.MethodGet, "/console/people", peopleAdmins, s.people},
		{http.MethodPost, "/console/people/invite", peopleAdmins, s.invite},
		{http.MethodPost, "/console/people/:id/deactivate", peopleAdmins, s.deactivate},
	}
}

// passwordSignIn opens a session for a person's e-mail and password.
// Like the token sign-in it consults the shared AuthGuard first and counts
// a failure against the address; an unknown e-mail costs as much time as
// a wrong password and gets the same answer.
func (s *Console) passwordSignIn(c *gin.Context) {
	addr, ok := s.signInAdmitted(c)
	if !ok {
		return
	}
	pw := c.PostForm("password")
	email, err := domain.NormalizeEmail(c.PostForm("email"))
	var row dbq.PasswordSignInCandidateRow
	if err == nil && len(pw) <= domain.MaxPasswordLength*4 {
		row, err = s.q.PasswordSignInCandidate(c, pgtype.Text{String: email, Valid: true})
		if err != nil && !db.IsNotFound(err) {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	ok = false
	if err == nil && row.PasswordHash.Valid {
		ok, _ = passwords.Check(pw, row.PasswordHash.String)
	} else {
		passwords.CheckNobody(pw)
	}
	if !ok {
		s.guard.Failed(addr, s.now())
		s.signInFailed(c, "That e-mail address and password do not match an active account.")
		return
	}
	person, err := s.q.PersonTOTP(c, row.PersonID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.firstFactorPassed(c, row.UserID, domain.Role(row.Role), person.TotpEnabledAt.Valid)
}

// acceptView is the accept-invitation form.
type acceptView struct{ Token string }

func (s *Console) acceptPage(c *gin.Context) {
	pre := randomToken()
	setCookie(c, preCSRFCookie, pre, 1800)
	s.render(c, http.StatusOK, "accept.html", page{Title: "Set your password", CSRF: pre, Data: acceptView{Token: c.Query("token")}})
}

// accept accepts an invitation with the password chosen, and signs the
// new user in.
func (s *Console) accept(c *gin.Context) {
	tok := strings.TrimSpace(c.PostForm("token"))
	again := func(status int, msg string) {
		pre := randomToken()
		setCookie(c, preCSRFCookie, pre, 1800)
		s.render(c, status, "accept.html", page{Title: "Set your password", CSRF: pre, Error: msg, Data: acceptView{Token: tok}})
	}
	pre, _ := c.Cookie(preCSRFCookie)
	if pre == "" || subtle.ConstantTimeCompare([]byte(pre), []byte(c.PostForm("csrf"))) != 1 {
		again(http.StatusForbidden, "The form expired; try again.")
		return
	}
	if c.PostForm("password") != c.PostForm("password2") {
		again(http.StatusUnprocessableEntity, "The two passwords differ.")
		return
	}
	user, err := db.AcceptInvitation(c, s.pool, tok, c.PostForm("password"), s.now())
	var ie *db.InvitationError
	if errors.As(err, &ie) {
		again(http.StatusUnprocessableEntity, ie.Msg)
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	// A person who already has a second factor (invited again) gives it.
	person, err := s.q.PersonTOTP(c, user.PersonID.UUID)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.firstFactorPassed(c, user.ID, domain.Role(user.Role), person.TotpEnabledAt.Valid)
}

// peopleView is the users page: the organization's users, the roles the
// admin may grant, and the link of an invitation just made.
type peopleView struct {
	Users []dbq.PeopleListRow
	Roles []domain.Role
	Link  string
	// Partners are the organizations a vendor admin may invite into
	// besides the vendor (none for a partner admin).
	Partners []dbq.PartnersByNameRow
}

func (s *Console) people(c *gin.Context) { s.renderPeople(c, http.StatusOK, "", "") }

func (s *Console) renderPeople(c *gin.Context, status int, link, msg string) {
	p := web.PrincipalOf(c)
	rows, err := s.q.PeopleList(c, p.Scope())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	var partners []dbq.PartnersByNameRow
	if p.Role == domain.RoleAdmin {
		if partners, err = s.q.PartnersByName(c); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	s.render(c, status, "people.html", page{Title: "People", Error: msg,
		Data: peopleView{Users: rows, Roles: domain.InvitableRoles(p.Role), Link: link, Partners: partners}})
}

// invite invites a person into the admin's own organization, or, for a
// vendor admin, into the partner organization chosen (with a partner
// role); the link is shown once.
func (s *Console) invite(c *gin.Context) {
	p := web.PrincipalOf(c)
	org := p.Scope()
	if pid := c.PostForm("partner_id"); pid != "" && p.Role == domain.RoleAdmin {
		id, err := uuid.Parse(pid)
		if err == nil {
			_, err = s.q.PartnerGet(c, id)
			if err != nil && !db.IsNotFound(err) {
				web.Unavailable(c, s.log, err)
				return
			}
		}
		if err != nil {
			s.renderPeople(c, http.StatusUnprocessableEntity, "", "no such partner")
			return
		}
		org = uuid.NullUUID{UUID: id, Valid: true}
	}
	role := domain.Role(c.PostForm("role"))
	name := strings.TrimSpace(c.PostForm("name"))
	email, err := domain.NormalizeEmail(c.PostForm("email"))
	switch {
	case err != nil:
		s.renderPeople(c, http.StatusUnprocessableEntity, "", err.Error())
		return
	case name == "" || len(name) > 200 || strings.ContainsFunc(name, unicode.IsControl):
		s.renderPeople(c, http.StatusUnprocessableEntity, "", "a name of 1 to 200 characters is required")
		return
	case !domain.MayGrant(p.Role, role) || role.IsPartner() != org.Valid:
		s.renderPeople(c, http.StatusUnprocessableEntity, "", "not a role you may give here")
		return
	}
	base := "http://" + c.Request.Host
	if secure(c) {
		base = "https://" + c.Request.Host
	}
	_, link, err := db.Invite(c, s.pool, db.Invitation{Email: email, Name: name, Role: role, PartnerID: org, InvitedBy: p.UserID,
		Now: s.now(), LinkBase: base})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	s.renderPeople(c, http.StatusOK, link, "")
}

// deactivate deactivates a user of the admin's organization.
func (s *Console) deactivate(c *gin.Context) {
	p := web.PrincipalOf(c)
	id, err := uuid.Parse(c.Param("id"))
	if err != nil || id == p.UserID {
		s.renderPeople(c, http.StatusNotFound, "", "no such user (or yourself)")
		return
	}
	err = db.DeactivateUser(c, s.pool, id, p.Scope(), s.now())
	if errors.Is(err, db.ErrNoSuchUser) {
		s.renderPeople(c, http.StatusNotFound, "", "no such user")
		return
	}
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/people?done=Deactivated")
}
