package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	"github.com/dealflow/dealflow/activities/webhook"
	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/clock"
	"github.com/dealflow/dealflow/internal/stdwebhook"
	webhookwf "github.com/dealflow/dealflow/workflows/webhook"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

var at = time.Now().UTC().Truncate(time.Second)

func user(t *testing.T, q *dbq.Queries, email string, role domain.Role, partner uuid.UUID) dbq.User {
	t.Helper()
	u, err := db.EnsureTokenHolder(context.Background(), q, db.TokenHolder{Email: email, Role: role,
		PartnerID: uuid.NullUUID{UUID: partner, Valid: partner != uuid.Nil}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// received is what a receiver got: headers and body per request.
type received struct {
	mu   sync.Mutex
	reqs []http.Header
	body [][]byte
}

// fixture: a vendor admin, two partners, one deal of the first with
// notifications to the managers, to the partner, to one of its people and
// to the other partner, and a subscription of each organization.
type fixture struct {
	q                 *dbq.Queries
	vendor, p, o      dbq.WebhookSubscription
	dealID            string
	partner, other    uuid.UUID
	srv               *httptest.Server
	got               *received
	status            int
	mu                sync.Mutex
	acts              *webhook.Activities
	notificationsByID []int64
}

func setup(t *testing.T) *fixture {
	ctx := context.Background()
	f := &fixture{q: dbq.New(testDB.Pool), got: &received{}, status: http.StatusNoContent}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.got.mu.Lock()
		f.got.reqs = append(f.got.reqs, r.Header.Clone())
		f.got.body = append(f.got.body, body)
		f.got.mu.Unlock()
		f.mu.Lock()
		defer f.mu.Unlock()
		w.WriteHeader(f.status)
	}))
	t.Cleanup(f.srv.Close)
	suffix := uuid.NewString()[:8]
	p, err := f.q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Northwind " + suffix, Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.q.PartnerCreate(ctx, dbq.PartnerCreateParams{Name: "Contoso " + suffix, Type: "reseller", Tier: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	f.partner, f.other = p.ID, o.ID
	admin := user(t, f.q, "admin-"+suffix+"@vendor.example", domain.RoleAdmin, uuid.Nil)
	ann := user(t, f.q, "ann-"+suffix+"@northwind.example", domain.RolePartnerUser, p.ID)
	mk := func(partner uuid.NullUUID, types []string) dbq.WebhookSubscription {
		s, err := f.q.WebhookSubscriptionCreate(ctx, dbq.WebhookSubscriptionCreateParams{ID: uuid.Must(uuid.NewV7()), PartnerID: partner,
			Url: f.srv.URL + "/hook", EventTypes: types, Secret: stdwebhook.NewSecret(), CreatedBy: admin.ID, CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	f.vendor = mk(uuid.NullUUID{}, []string{})
	f.p = mk(uuid.NullUUID{UUID: p.ID, Valid: true}, []string{})
	f.o = mk(uuid.NullUUID{UUID: o.ID, Valid: true}, []string{})

	f.dealID = uuid.Must(uuid.NewV7()).String()
	reg := domain.Registration{Customer: domain.Customer{Name: "Acme Corp", Domain: "acme.com", Country: "US"},
		RegistrableDomain: "acme.com", Contact: domain.Contact{Name: "Jane", Email: "jane@acme.com"},
		ProductLines: []string{"vpn"}, Amount: 100000, Currency: "USD", ExpectedCloseDate: "2027-03-31"}
	actor := domain.Actor{ID: ann.ID.String(), Name: ann.Name, Role: domain.RolePartnerUser}
	if err := dealacts.New(testDB.Pool).RecordSubmission(ctx, dealacts.Submission{DealID: f.dealID, PartnerID: p.ID.String(),
		WorkflowID: "deal/" + f.dealID, Registration: reg,
		Event: dealacts.Event{DealID: f.dealID, Seq: 1, Type: "submitted", To: domain.StatusSubmitted, Actor: actor, OccurredAt: at,
			Snapshot: &dealacts.Snapshot{Status: domain.StatusSubmitted, Registration: reg, RequiredApprovals: 1},
			Notify: []dealacts.Notification{
				{Audience: "role:channel_manager", Kind: "review_needed", Subject: "Acme Corp: registration awaits review"},
				{Audience: "partner:" + p.ID.String(), Kind: "approved", Subject: "Acme Corp: approved"},
				{Audience: "email:ann-" + suffix + "@northwind.example", Kind: "info_requested", Subject: "Acme Corp: a question"},
				{Audience: "partner:" + o.ID.String(), Kind: "conflict_resolved", Subject: "Acme Corp: a conflict was resolved"}}}}); err != nil {
		t.Fatal(err)
	}
	f.acts = webhook.New(testDB.Pool)
	f.acts.Clock = clock.Fixed(at)
	f.acts.Poll = 10 * time.Millisecond
	return f
}

func (f *fixture) pending(t *testing.T, s dbq.WebhookSubscription) []webhookwf.Event {
	t.Helper()
	p, err := f.acts.WebhookAwaitPending(context.Background(), webhookwf.AwaitRequest{SubscriptionID: s.ID.String(), Max: 100, Wait: 0})
	if err != nil || !p.Active {
		t.Fatalf("pending: %+v %v", p, err)
	}
	return p.Events
}

// A vendor subscription receives every event; a partner's only those
// addressed to its organization or its people (another partner's deal's
// id withheld); event types filter.
func TestSubscriptionsReceiveTheirOrganizationsEventsOnly(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if n := len(f.pending(t, f.vendor)); n != 4 {
		t.Errorf("vendor: %d events, want 4", n)
	}
	pe := f.pending(t, f.p)
	if len(pe) != 2 || pe[0].DealID != f.dealID {
		t.Errorf("partner: %+v, want its two", pe)
	}
	oe := f.pending(t, f.o)
	if len(oe) != 1 {
		t.Fatalf("other partner: %+v, want its one", oe)
	}
	ev, err := f.q.WebhookEventGet(ctx, dbq.WebhookEventGetParams{SubscriptionID: f.o.ID, NotificationID: oe[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := webhook.Payload(ev, f.o.PartnerID)
	if strings.Contains(string(body), f.dealID) || !strings.Contains(string(body), `"type":"conflict_resolved"`) {
		t.Errorf("other partner's payload: %s", body)
	}
	if _, err := f.q.WebhookEventGet(ctx, dbq.WebhookEventGetParams{SubscriptionID: f.o.ID, NotificationID: pe[0].ID}); err == nil {
		t.Error("the other partner's subscription reads the partner's event")
	}
	if _, err := f.q.WebhookSubscriptionUpdate(ctx, dbq.WebhookSubscriptionUpdateParams{ID: f.vendor.ID, Url: f.vendor.Url,
		EventTypes: []string{"approved"}, Status: "active", UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if ve := f.pending(t, f.vendor); len(ve) != 1 {
		t.Errorf("filtered to approved: %+v", ve)
	}
}

// An attempt is signed, carries the event's stable webhook-id, is
// recorded in the log; a 5xx is to retry, a 2xx delivered (and not
// pending again); a rotated secret signs beside the new one until the
// overlap ends; a 410 disables the subscription.
func TestAttemptSignsRecordsRotatesAndDisables(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	events := f.pending(t, f.p)
	attempt := func(id int64, n int) webhookwf.AttemptResult {
		t.Helper()
		res, err := f.acts.WebhookAttempt(ctx, webhookwf.AttemptRequest{SubscriptionID: f.p.ID.String(), EventID: id, Attempt: n})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	f.status = http.StatusServiceUnavailable
	if res := attempt(events[0].ID, 1); res.Outcome != webhookwf.Retry || res.Status != 503 {
		t.Errorf("503: %+v", res)
	}
	f.status = http.StatusOK
	if res := attempt(events[0].ID, 2); res.Outcome != webhookwf.Delivered {
		t.Errorf("200: %+v", res)
	}
	h0, h1 := f.got.reqs[0], f.got.reqs[1]
	wantID := webhookwf.MessageID(f.p.ID.String(), events[0].ID)
	if h0.Get(stdwebhook.HeaderID) != wantID || h1.Get(stdwebhook.HeaderID) != wantID {
		t.Errorf("webhook-ids %q %q, want %q", h0.Get(stdwebhook.HeaderID), h1.Get(stdwebhook.HeaderID), wantID)
	}
	if err := stdwebhook.Verify(f.p.Secret, h1, f.got.body[1], at); err != nil {
		t.Errorf("signature: %v", err)
	}
	var body webhook.Body
	if err := json.Unmarshal(f.got.body[1], &body); err != nil || body.Type != "approved" || body.Data.EventID != events[0].ID || body.Data.DealID != f.dealID {
		t.Errorf("body %s: %v", f.got.body[1], err)
	}
	log, err := f.q.WebhookDeliveryList(ctx, dbq.WebhookDeliveryListParams{SubscriptionID: f.p.ID, MaxRows: 10})
	if err != nil || len(log) != 2 {
		t.Fatalf("log: %+v %v", log, err)
	}
	row := log[1]
	if row.NotificationID != events[0].ID || row.Status != "delivered" || row.Attempts != 2 || row.LastStatus != 200 || row.WebhookID != wantID {
		t.Errorf("log row: %+v", row)
	}
	if left := f.pending(t, f.p); len(left) != 1 || left[0].ID != events[1].ID {
		t.Errorf("pending after delivery: %+v", left)
	}

	// Rotation with an hour's overlap.
	rot, err := f.q.WebhookSubscriptionRotate(ctx, dbq.WebhookSubscriptionRotateParams{ID: f.p.ID, Secret: stdwebhook.NewSecret(),
		PreviousExpiresAt: pgtype.Timestamptz{Time: at.Add(time.Hour), Valid: true}, UpdatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	attempt(events[1].ID, 1)
	h := f.got.reqs[2]
	if n := len(strings.Fields(h.Get(stdwebhook.HeaderSignature))); n != 2 {
		t.Errorf("during the overlap %d signatures, want 2", n)
	}
	for _, s := range []string{f.p.Secret, rot.Secret} {
		if err := stdwebhook.Verify(s, h, f.got.body[2], at); err != nil {
			t.Errorf("overlap: %v", err)
		}
	}
	f.acts.Clock = clock.Fixed(at.Add(time.Hour))
	attempt(events[1].ID, 2)
	h = f.got.reqs[3]
	if n := len(strings.Fields(h.Get(stdwebhook.HeaderSignature))); n != 1 || stdwebhook.Verify(rot.Secret, h, f.got.body[3], at.Add(time.Hour)) != nil {
		t.Errorf("after the overlap: %q", h.Get(stdwebhook.HeaderSignature))
	}

	// Dead-lettered, then replayed.
	if err := f.acts.WebhookDeadLetter(ctx, webhookwf.DeadLetter{SubscriptionID: f.p.ID.String(), EventID: events[1].ID, Reason: "retries ran out"}); err != nil {
		t.Fatal(err)
	}
	if left := f.pending(t, f.p); len(left) != 0 {
		t.Errorf("pending after dead-letter: %+v", left)
	}
	if n, err := f.q.WebhookDeliveryReplay(ctx, dbq.WebhookDeliveryReplayParams{SubscriptionID: f.p.ID, FromID: events[0].ID}); err != nil || n != 2 {
		t.Errorf("replay: %d rows, %v", n, err)
	}
	if left := f.pending(t, f.p); len(left) != 2 {
		t.Errorf("pending after replay: %+v", left)
	}

	// 410 Gone.
	f.status = http.StatusGone
	if res := attempt(events[0].ID, 1); res.Outcome != webhookwf.Gone {
		t.Errorf("410: %+v", res)
	}
	s, err := f.q.WebhookSubscriptionGet(ctx, dbq.WebhookSubscriptionGetParams{ID: f.p.ID})
	if err != nil || s.Status != "disabled" || !strings.Contains(s.DisabledReason, "410") {
		t.Errorf("after 410: %+v %v", s, err)
	}
	p, err := f.acts.WebhookAwaitPending(ctx, webhookwf.AwaitRequest{SubscriptionID: f.p.ID.String(), Max: 10})
	if err != nil || p.Active {
		t.Errorf("a disabled subscription reads active: %+v %v", p, err)
	}
	if res := attempt(events[0].ID, 2); res.Outcome != webhookwf.Inactive {
		t.Errorf("attempt on a disabled subscription: %+v", res)
	}
}
