package domain

import "time"

// LinkPurpose is what an e-mailed sign-in link does: set a new password,
// or sign in once without one.
type LinkPurpose string

// The purposes of e-mailed links.
const (
	LinkReset  LinkPurpose = "reset"
	LinkSignIn LinkPurpose = "sign_in"
)

// Policy of e-mailed links: a reset link works for 30 minutes, a sign-in
// link for 15; both work once. At most LinkMailsPerWindow links of one
// purpose are mailed to a person within LinkMailWindow (more requests get
// the same answer and no mail), so nobody can flood an inbox.
const (
	ResetLinkTTL       = 30 * time.Minute
	SignInLinkTTL      = 15 * time.Minute
	LinkMailsPerWindow = 3
	LinkMailWindow     = 15 * time.Minute
)

// TTL is how long a link of purpose p works.
func (p LinkPurpose) TTL() time.Duration {
	if p == LinkReset {
		return ResetLinkTTL
	}
	return SignInLinkTTL
}

// LinkProblem says why a link expiring at expiresAt and used at used
// (zero: never) cannot be used at now (empty: it can): a link is
// single-use and expires.
func LinkProblem(p LinkPurpose, expiresAt, used, now time.Time) string {
	what, again := "sign-in link", "ask for a new one on the sign-in page"
	if p == LinkReset {
		what, again = "password reset link", "ask for a new one with “Forgot your password?”"
	}
	switch {
	case !used.IsZero():
		return "this " + what + " has already been used; " + again
	case !now.Before(expiresAt):
		return "this " + what + " has expired; " + again
	}
	return ""
}

// UnknownLinkProblem is the answer to a link dealflow never issued (or
// mistyped).
func UnknownLinkProblem(p LinkPurpose) string {
	if p == LinkReset {
		return "this password reset link is not valid; ask for a new one with “Forgot your password?”"
	}
	return "this sign-in link is not valid; ask for a new one on the sign-in page"
}

// MFARoles may enrol a TOTP second factor: partner admins, finance and
// vendor admins, who can change money and people. Enrolment is optional,
// per person.
var MFARoles = []Role{RolePartnerAdmin, RoleFinance, RoleAdmin}

// MFAChallengeTTL is how long a person has to type the code after the
// first factor; MFAMaxFailures wrong codes end the challenge (the person
// starts over, and each wrong code also counts against the address's
// sign-in throttle).
const (
	MFAChallengeTTL = 5 * time.Minute
	MFAMaxFailures  = 5
)
