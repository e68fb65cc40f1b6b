package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/internal/unsubscribe"
	"github.com/dealflow/dealflow/workflows/notify"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/activity"
)

// NotifyDigestDue returns the people whose digest of day (YYYY-MM-DD) is
// due: who have notifications kept for the digest and not yet in one (or
// in day's digest, never recorded sent), unless their e-mail is off.
func (a *Activities) NotifyDigestDue(ctx context.Context, day string) ([]string, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return nil, fmt.Errorf("digest day %q: %w", day, err)
	}
	ids, err := dbq.New(a.Pool).NotifyDigestDue(ctx, d)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out, nil
}

// NotifyDigestSend sends a person's digest of a day once: a digest already
// recorded is not sent again (false); otherwise every notification kept
// for the person's digest is given to this day's, the e-mail is sent with a
// Message-ID derived from the person and the day, and the digest is
// recorded. A retry after a crash between the send and the record sends the
// same Message-ID again. Nothing to list: no e-mail.
func (a *Activities) NotifyDigestSend(ctx context.Context, req notify.DigestRequest) (bool, error) {
	if a.Settings.SMTPAddr == "" {
		return false, errors.New("e-mail delivery is off (DEALFLOW_SMTP_ADDR unset)")
	}
	person, err := uuid.Parse(req.PersonID)
	if err != nil {
		return false, fmt.Errorf("digest person %q: %w", req.PersonID, err)
	}
	day, err := time.Parse(time.DateOnly, req.Day)
	if err != nil {
		return false, fmt.Errorf("digest day %q: %w", req.Day, err)
	}
	q := dbq.New(a.Pool)
	if _, err := q.NotifyDigestGet(ctx, dbq.NotifyDigestGetParams{PersonID: person, Day: day}); err == nil {
		return false, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return false, err
	}
	p, err := q.NotifyDigestPerson(ctx, person)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // nobody to write to
	}
	if err != nil {
		return false, err
	}
	if err := q.NotifyDigestClaim(ctx, dbq.NotifyDigestClaimParams{PersonID: uuid.NullUUID{UUID: person, Valid: true}, Day: day}); err != nil {
		return false, err
	}
	items, err := q.NotifyDigestItems(ctx, dbq.NotifyDigestItemsParams{PersonID: uuid.NullUUID{UUID: person, Valid: true}, Day: day})
	if err != nil {
		return false, err
	}
	if len(items) == 0 {
		return false, nil
	}
	d := a.digestOf(p.Email, person, req.Day, items)
	msg, err := ComposeDigest(d)
	if err != nil {
		return false, err
	}
	err = send(ctx, a.Settings.SMTPAddr, a.Settings.From, p.Email, msg)
	if errors.Is(err, ErrRefused) {
		// The address is refused for good: the digest is recorded so the
		// day is not retried forever; the log says why.
		if activity.IsActivity(ctx) {
			activity.GetLogger(ctx).Warn("digest refused by the SMTP server", "person", person, "day", req.Day, "error", err)
		}
	} else if err != nil {
		return false, fmt.Errorf("digest of %s for %s: %w", req.Day, p.Email, err)
	}
	return err == nil, q.NotifyDigestRecord(ctx, dbq.NotifyDigestRecordParams{PersonID: person, Day: day, Recipient: p.Email,
		MessageID: DigestMessageID(person.String(), req.Day, a.Settings.From), Notifications: int32(len(items)), SentAt: a.now()})
}

// digestOf builds the digest of items, grouped by deal in the order the
// query returns them.
func (a *Activities) digestOf(to string, person uuid.UUID, day string, items []dbq.NotifyDigestItemsRow) DigestMail {
	d := DigestMail{From: a.Settings.From, To: to, PersonID: person.String(), Day: day, Date: a.now(),
		FeedURL: a.Settings.ConsoleURL + "/console/notifications"}
	if a.Settings.Secret != "" {
		d.UnsubscribeURL = a.Settings.ConsoleURL + "/v1/notifications/unsubscribe?token=" + unsubscribe.Token(a.Settings.Secret, person)
	}
	for i, it := range items {
		if i == 0 || it.DealID != items[i-1].DealID {
			g := DigestGroup{Customer: it.CustomerName}
			if it.DealID.Valid {
				g.DealURL = a.Settings.ConsoleURL + "/console/deals/" + it.DealID.UUID.String()
			}
			d.Groups = append(d.Groups, g)
		}
		g := &d.Groups[len(d.Groups)-1]
		g.Items = append(g.Items, DigestItem{Headline: WordingFor(it.Kind).Headline, Subject: it.Subject, At: it.CreatedAt.UTC()})
	}
	return d
}
