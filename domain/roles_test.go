package domain

import "testing"

// TestRoleValid proves Valid accepts exactly the token roles, and refuses the system role and unknown or misspelled ones.
func TestRoleValid(t *testing.T) {
	tests := []struct {
		r    Role
		want bool
	}{
		{RolePartnerUser, true},
		{RolePartnerAdmin, true},
		{RoleChannelManager, true},
		{RoleFinance, true},
		{RoleAdmin, true},
		{RoleSystem, false},
		{"", false},
		{"Admin", false},
		{"ADMIN", false},
		{"admin ", false},
		{"partner-user", false},
		{"partner", false},
		{"superuser", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.r), func(t *testing.T) {
			if got := tt.r.Valid(); got != tt.want {
				t.Errorf("Role(%q).Valid() = %v, want %v", tt.r, got, tt.want)
			}
		})
	}
}

// TestTokenRolesAllValid proves every role in TokenRoles is Valid and none is the system role.
func TestTokenRolesAllValid(t *testing.T) {
	if len(TokenRoles) != 6 { // sales_rep joined (issue 14)
		t.Errorf("len(TokenRoles) = %d, want 6", len(TokenRoles))
	}
	for _, r := range TokenRoles {
		if !r.Valid() {
			t.Errorf("TokenRoles lists %q but it is not Valid", r)
		}
		if r == RoleSystem {
			t.Errorf("TokenRoles lists the system role")
		}
	}
}

// TestRoleIsPartner proves only partner_user and partner_admin are partner-scoped roles.
func TestRoleIsPartner(t *testing.T) {
	tests := []struct {
		r    Role
		want bool
	}{
		{RolePartnerUser, true},
		{RolePartnerAdmin, true},
		{RoleChannelManager, false},
		{RoleFinance, false},
		{RoleAdmin, false},
		{RoleSystem, false},
		{"", false},
		{"partner", false},
		{"Partner_User", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.r), func(t *testing.T) {
			if got := tt.r.IsPartner(); got != tt.want {
				t.Errorf("Role(%q).IsPartner() = %v, want %v", tt.r, got, tt.want)
			}
		})
	}
}

// TestSystemActor proves the system actor carries the system role, which no token may carry.
func TestSystemActor(t *testing.T) {
	if SystemActor.Role != RoleSystem {
		t.Errorf("SystemActor.Role = %q, want %q", SystemActor.Role, RoleSystem)
	}
	if SystemActor.ID == "" {
		t.Error("SystemActor.ID is empty")
	}
	if SystemActor.Role.Valid() {
		t.Error("SystemActor's role is Valid for tokens, want not")
	}
	if SystemActor.Role.IsPartner() {
		t.Error("SystemActor's role is a partner role, want not")
	}
}

// TestPartnerTypeValid proves Valid accepts exactly the seven partner types, case-sensitively.
func TestPartnerTypeValid(t *testing.T) {
	tests := []struct {
		p    PartnerType
		want bool
	}{
		{PartnerReseller, true},
		{PartnerVAR, true},
		{PartnerDistributor, true},
		{PartnerMSP, true},
		{PartnerSI, true},
		{PartnerReferral, true},
		{PartnerAgent, true},
		{"", false},
		{"VAR", false},
		{"Reseller", false},
		{"msp ", false},
		{"isv", false},
		{"oem", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.p), func(t *testing.T) {
			if got := tt.p.Valid(); got != tt.want {
				t.Errorf("PartnerType(%q).Valid() = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

// TestPartnerTypesAllValid proves PartnerTypes lists seven distinct valid types.
func TestPartnerTypesAllValid(t *testing.T) {
	if len(PartnerTypes) != 7 {
		t.Errorf("len(PartnerTypes) = %d, want 7", len(PartnerTypes))
	}
	seen := map[PartnerType]bool{}
	for _, p := range PartnerTypes {
		if !p.Valid() {
			t.Errorf("PartnerTypes lists %q but it is not Valid", p)
		}
		if seen[p] {
			t.Errorf("PartnerTypes lists %q twice", p)
		}
		seen[p] = true
	}
}

// TestNormalizeTier proves NormalizeTier trims surrounding space and lower-cases, leaving inner text alone.
func TestNormalizeTier(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"gold", "gold"},
		{"Gold", "gold"},
		{"GOLD", "gold"},
		{"gold ", "gold"},
		{"  Platinum\t", "platinum"},
		{"\nsilver\n", "silver"},
		{"", ""},
		{"   ", ""},
		{"Elite Plus", "elite plus"},
		{"diamond", "diamond"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizeTier(tt.in); got != tt.want {
				t.Errorf("NormalizeTier(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTierRank proves TierRank ranks the default tiers in ascending order after normalizing, and gives -1 for unknown tiers.
func TestTierRank(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"registered", 0},
		{"silver", 1},
		{"gold", 2},
		{"platinum", 3},
		{"Gold", 2},
		{" PLATINUM ", 3},
		{"Silver\t", 1},
		{"", -1},
		{"   ", -1},
		{"diamond", -1},
		{"bronze", -1},
		{"gold plus", -1},
		{"go ld", -1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := TierRank(tt.in); got != tt.want {
				t.Errorf("TierRank(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

// TestTierRankMatchesTiersOrder proves every entry of Tiers ranks at its own index, so ranks strictly ascend.
func TestTierRankMatchesTiersOrder(t *testing.T) {
	for i, tier := range Tiers {
		if got := TierRank(tier); got != i {
			t.Errorf("TierRank(%q) = %d, want %d", tier, got, i)
		}
		if NormalizeTier(tier) != tier {
			t.Errorf("Tiers entry %q is not normalized", tier)
		}
	}
}
