package notify

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// Audience is a parsed notification audience: exactly one of Role,
// Partner or Email is set.
type Audience struct {
	Role    string
	Partner uuid.UUID
	Email   string
}

// ParseAudience parses role:<role>, partner:<id> or email:<address>.
func ParseAudience(s string) (Audience, error) {
	kind, rest, ok := strings.Cut(s, ":")
	rest = strings.TrimSpace(rest)
	if !ok || rest == "" {
		return Audience{}, fmt.Errorf("audience %q: want role:, partner: or email:", s)
	}
	switch kind {
	case "role":
		return Audience{Role: rest}, nil
	case "partner":
		id, err := uuid.Parse(rest)
		if err != nil {
			return Audience{}, fmt.Errorf("audience %q: %v", s, err)
		}
		return Audience{Partner: id}, nil
	case "email":
		if !strings.Contains(rest, "@") {
			return Audience{}, fmt.Errorf("audience %q: not an address", s)
		}
		return Audience{Email: strings.ToLower(rest)}, nil
	}
	return Audience{}, fmt.Errorf("audience %q: want role:, partner: or email:", s)
}

// Recipient is one address a notification goes to, with the person it
// belongs to (if any) and their e-mail preference.
type Recipient struct {
	Email    string
	PersonID uuid.UUID
	// Mode is immediate, daily_digest or off.
	Mode string
}

// Modes of e-mail delivery a person may choose.
const (
	ModeImmediate = "immediate"
	ModeDigest    = "daily_digest"
	ModeOff       = "off"
)

// resolve returns the recipients of an audience: a role's people with an
// e-mail address, a partner's people, or the one address (a person's, with
// their preference, or nobody's: then immediate).
func resolve(ctx context.Context, q *dbq.Queries, a Audience) ([]Recipient, error) {
	type row struct {
		person      uuid.UUID
		email, mode string
	}
	var rows []row
	switch {
	case a.Role != "":
		rs, err := q.NotifyRecipientsForRole(ctx, a.Role)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			rows = append(rows, row{r.PersonID, r.Email, r.EmailMode})
		}
	case a.Partner != uuid.Nil:
		rs, err := q.NotifyRecipientsForPartner(ctx, uuid.NullUUID{UUID: a.Partner, Valid: true})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			rows = append(rows, row{r.PersonID, r.Email, r.EmailMode})
		}
	default:
		rs, err := q.NotifyRecipientByEmail(ctx, a.Email)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			rows = append(rows, row{r.PersonID, r.Email, r.EmailMode})
		}
		if len(rows) == 0 {
			return []Recipient{{Email: a.Email, Mode: ModeImmediate}}, nil
		}
	}
	out := make([]Recipient, 0, len(rows))
	for _, r := range rows {
		mode := r.mode
		if mode == "" {
			mode = ModeImmediate
		}
		out = append(out, Recipient{Email: strings.ToLower(r.email), PersonID: r.person, Mode: mode})
	}
	return out, nil
}
