package web

import "github.com/dealflow/dealflow/domain"

// The role sets routes declare (api.Server.Routes, console's page table,
// the step tables of internal/steps): who may call them.
var (
	// PartnerRoles are a partner's own users.
	PartnerRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin}
	// DeciderRoles review registrations.
	DeciderRoles = []domain.Role{domain.RoleChannelManager, domain.RoleAdmin}
	// VendorRoles are the vendor's staff who read everything.
	VendorRoles = []domain.Role{domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
	// AdminRoles manage programs and tokens.
	AdminRoles = []domain.Role{domain.RoleAdmin}
	// FinanceRoles act on incentive cycles; channel managers read them.
	FinanceRoles = []domain.Role{domain.RoleFinance}
	// ProgramOwnerRoles publish incentive programs and their rules.
	ProgramOwnerRoles = []domain.Role{domain.RoleFinance, domain.RoleAdmin}
	// CheckerRoles may run a conflict pre-check.
	CheckerRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleChannelManager, domain.RoleAdmin}
	// AllRoles is every role a token can hold.
	// AllRoles are the roles that read deals and statements: every role but
	// the vendor's sellers, who read only the co-sell engagements and
	// accounts assigned to them (api/cosell.go).
	AllRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
	// CorrectorRoles may correct a closed-won outcome: the partner (or its
	// CRM) that reported it, and finance.
	CorrectorRoles = []domain.Role{domain.RolePartnerUser, domain.RolePartnerAdmin, domain.RoleFinance, domain.RoleAdmin}
	// CorrectionReviewerRoles decide a partner's upward correction of its
	// won amount: channel managers and finance (and admins).
	CorrectionReviewerRoles = []domain.Role{domain.RoleChannelManager, domain.RoleFinance, domain.RoleAdmin}
)
