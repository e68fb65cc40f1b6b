package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/stdwebhook"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/workflows/webhook"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// webhookRoles manage webhook subscriptions: a vendor admin any
// organization's (its own receive every event), a partner admin its own
// organization's only (scoped in every query).
var webhookRoles = []domain.Role{domain.RoleAdmin, domain.RolePartnerAdmin}

// Webhook subscription limits.
const (
	// defaultRotationOverlap is how long a rotated-out secret keeps
	// signing beside the new one when the request says nothing.
	defaultRotationOverlap = 24 * time.Hour
	maxRotationOverlap     = 7 * 24 * time.Hour
	defaultDeliveryPage    = 50
	maxDeliveryPage        = 200
)

// webhookRoutes are the webhook subscriptions, their delivery log, replay
// and test (docs/webhooks.md).
func (s *Server) webhookRoutes() []Route {
	const one = "/v1/webhooks/subscriptions/:id"
	return []Route{
		{http.MethodPost, "/v1/webhooks/subscriptions", webhookRoles, s.createWebhookSubscription},
		{http.MethodGet, "/v1/webhooks/subscriptions", webhookRoles, s.listWebhookSubscriptions},
		{http.MethodGet, one, webhookRoles, s.getWebhookSubscription},
		{http.MethodPatch, one, webhookRoles, s.updateWebhookSubscription},
		{http.MethodDelete, one, webhookRoles, s.deleteWebhookSubscription},
		{http.MethodPost, one + "/rotate-secret", webhookRoles, s.rotateWebhookSecret},
		{http.MethodGet, one + "/deliveries", webhookRoles, s.webhookDeliveries},
		{http.MethodPost, one + "/replay", webhookRoles, s.replayWebhooks},
		{http.MethodPost, one + "/test", webhookRoles, s.testWebhook},
	}
}

// WebhookSubscriptionView is a subscription as its admins see it; Secret
// only in the answers to its creation and to a rotation.
type WebhookSubscriptionView struct {
	ID             string   `json:"id"`
	PartnerID      string   `json:"partner_id,omitempty"`
	URL            string   `json:"url"`
	Description    string   `json:"description"`
	EventTypes     []string `json:"event_types"`
	Status         string   `json:"status"`
	DisabledReason string   `json:"disabled_reason,omitempty"`
	// Secret is whsec_<base64>, the key every webhook is signed with.
	Secret string `json:"secret,omitempty"`
	// PreviousSecretExpiresAt: until then the secret before the last
	// rotation signs too.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

// WebhookDeliveryView is one event in a subscription's delivery log.
type WebhookDeliveryView struct {
	EventID        int64      `json:"event_id"`
	WebhookID      string     `json:"webhook_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int32      `json:"attempts"`
	LastStatus     int32      `json:"last_status,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	FirstAttemptAt *time.Time `json:"first_attempt_at,omitempty"`
	LastAttemptAt  *time.Time `json:"last_attempt_at,omitempty"`
	FinishedAt     *time.Time `json:"finished_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// WebhookTestView is what the receiver answered a test event.
type WebhookTestView struct {
	WebhookID string `json:"webhook_id"`
	Delivered bool   `json:"delivered"`
	Status    int    `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
}

type webhookSubscriptionRequest struct {
	URL         string   `json:"url" validate:"required,max=2000,printable,url"`
	Description string   `json:"description" validate:"max=500,printable"`
	EventTypes  []string `json:"event_types" validate:"max=50,dive,required,max=60,printable"`
}

type webhookUpdateRequest struct {
	URL         *string   `json:"url" validate:"omitempty,max=2000,printable,url"`
	Description *string   `json:"description" validate:"omitempty,max=500,printable"`
	EventTypes  *[]string `json:"event_types" validate:"omitempty,max=50,dive,required,max=60,printable"`
	// Status: active or disabled (an admin's pause; re-enabling resumes
	// from the delivery log).
	Status *string `json:"status" validate:"omitempty,oneof=active disabled"`
}

type webhookRotateRequest struct {
	// OverlapSeconds the old secret keeps signing (default a day, at most
	// seven; 0: none).
	OverlapSeconds *int64 `json:"overlap_seconds" validate:"omitempty,min=0,max=604800"`
}

type webhookReplayRequest struct {
	FromEventID int64 `json:"from_event_id" validate:"required,min=1"`
}

func webhookSubscriptionView(s dbq.WebhookSubscription, withSecret bool) WebhookSubscriptionView {
	v := WebhookSubscriptionView{ID: s.ID.String(), URL: s.Url, Description: s.Description, EventTypes: s.EventTypes,
		Status: s.Status, DisabledReason: s.DisabledReason, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
	if s.PartnerID.Valid {
		v.PartnerID = s.PartnerID.UUID.String()
	}
	if withSecret {
		v.Secret = s.Secret
	}
	if s.PreviousExpiresAt.Valid {
		t := s.PreviousExpiresAt.Time
		v.PreviousSecretExpiresAt = &t
	}
	return v
}

// webhookURLProblem says what is wrong with a receiver's URL ("" : fine).
func webhookURLProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http or https URL"
	}
	return ""
}

func eventTypesProblem(types []string) string {
	for _, t := range types {
		if strings.Trim(t, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return "event types are lower-case notification kinds such as approved or review_needed"
		}
	}
	return ""
}

func (s *Server) createWebhookSubscription(c *gin.Context) {
	var req webhookSubscriptionRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	req.URL = strings.TrimSpace(req.URL)
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	var errs []web.FieldError
	if m := webhookURLProblem(req.URL); m != "" {
		errs = append(errs, web.FieldError{Field: "url", Message: m})
	}
	if m := eventTypesProblem(req.EventTypes); m != "" {
		errs = append(errs, web.FieldError{Field: "event_types", Message: m})
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	p := web.PrincipalOf(c)
	types := req.EventTypes
	if types == nil {
		types = []string{}
	}
	sub, err := s.q.WebhookSubscriptionCreate(c, dbq.WebhookSubscriptionCreateParams{ID: uuid.Must(uuid.NewV7()), PartnerID: p.Scope(),
		Url: req.URL, Description: req.Description, EventTypes: types, Secret: stdwebhook.NewSecret(), CreatedBy: p.UserID, CreatedAt: s.now()})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if err := webhook.NewClient(s.temporal).Ensure(c, sub.ID.String()); err != nil {
		// Without its workflow the subscription would deliver nothing
		// until a worker restarts: undo it.
		_, _ = s.q.WebhookSubscriptionDelete(c, dbq.WebhookSubscriptionDeleteParams{ID: sub.ID})
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusCreated, webhookSubscriptionView(sub, true))
}

func (s *Server) listWebhookSubscriptions(c *gin.Context) {
	rows, err := s.q.WebhookSubscriptionList(c, web.PrincipalOf(c).Scope())
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]WebhookSubscriptionView, 0, len(rows))
	for _, r := range rows {
		out = append(out, webhookSubscriptionView(r, false))
	}
	c.JSON(http.StatusOK, gin.H{"subscriptions": out})
}

// webhookSubscription reads the :id subscription within the caller's
// scope; another organization's is not found.
func (s *Server) webhookSubscription(c *gin.Context) (dbq.WebhookSubscription, bool) {
	id, ok := pathID(c, "webhook subscription")
	if !ok {
		return dbq.WebhookSubscription{}, false
	}
	sub, err := s.q.WebhookSubscriptionGet(c, dbq.WebhookSubscriptionGetParams{ID: id, Scope: web.PrincipalOf(c).Scope()})
	if !s.found(c, err, "webhook subscription") {
		return dbq.WebhookSubscription{}, false
	}
	return sub, true
}

func (s *Server) getWebhookSubscription(c *gin.Context) {
	if sub, ok := s.webhookSubscription(c); ok {
		c.JSON(http.StatusOK, webhookSubscriptionView(sub, false))
	}
}

func (s *Server) updateWebhookSubscription(c *gin.Context) {
	sub, ok := s.webhookSubscription(c)
	if !ok {
		return
	}
	var req webhookUpdateRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	u := dbq.WebhookSubscriptionUpdateParams{ID: sub.ID, Scope: web.PrincipalOf(c).Scope(), Url: sub.Url, Description: sub.Description,
		EventTypes: sub.EventTypes, Status: sub.Status, DisabledReason: sub.DisabledReason, UpdatedAt: s.now()}
	var errs []web.FieldError
	if req.URL != nil {
		u.Url = strings.TrimSpace(*req.URL)
		if m := webhookURLProblem(u.Url); m != "" {
			errs = append(errs, web.FieldError{Field: "url", Message: m})
		}
	}
	if req.Description != nil {
		u.Description = *req.Description
	}
	if req.EventTypes != nil {
		u.EventTypes = *req.EventTypes
		if m := eventTypesProblem(u.EventTypes); m != "" {
			errs = append(errs, web.FieldError{Field: "event_types", Message: m})
		}
	}
	if req.Status != nil && *req.Status != sub.Status {
		u.Status = *req.Status
		if u.Status == "disabled" {
			u.DisabledReason = "disabled by " + web.PrincipalOf(c).Name
		}
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	if u.EventTypes == nil {
		u.EventTypes = []string{}
	}
	updated, err := s.q.WebhookSubscriptionUpdate(c, u)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if updated.Status == "active" {
		// Re-enabled (or still running): its workflow resumes from the log.
		if err := webhook.NewClient(s.temporal).Ensure(c, updated.ID.String()); err != nil {
			web.Unavailable(c, s.log, err)
			return
		}
	}
	c.JSON(http.StatusOK, webhookSubscriptionView(updated, false))
}

func (s *Server) deleteWebhookSubscription(c *gin.Context) {
	sub, ok := s.webhookSubscription(c)
	if !ok || !s.decodeJSON(c, &struct{}{}, true) {
		return
	}
	if _, err := s.q.WebhookSubscriptionDelete(c, dbq.WebhookSubscriptionDeleteParams{ID: sub.ID, Scope: web.PrincipalOf(c).Scope()}); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	// Its workflow would end at its next look anyway; stop it now.
	if err := webhook.NewClient(s.temporal).Stop(c, sub.ID.String()); err != nil {
		s.log.Warn("stop webhook delivery", "subscription", sub.ID, "err", err)
	}
	c.JSON(http.StatusOK, gin.H{"id": sub.ID.String(), "deleted": true})
}

func (s *Server) rotateWebhookSecret(c *gin.Context) {
	sub, ok := s.webhookSubscription(c)
	if !ok {
		return
	}
	var req webhookRotateRequest
	if !s.decodeJSON(c, &req, true) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	overlap := defaultRotationOverlap
	if req.OverlapSeconds != nil {
		overlap = min(time.Duration(*req.OverlapSeconds)*time.Second, maxRotationOverlap)
	}
	now := s.now()
	rot, err := s.q.WebhookSubscriptionRotate(c, dbq.WebhookSubscriptionRotateParams{ID: sub.ID, Scope: web.PrincipalOf(c).Scope(),
		Secret: stdwebhook.NewSecret(), PreviousExpiresAt: pgtype.Timestamptz{Time: now.Add(overlap), Valid: true}, UpdatedAt: now})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusOK, webhookSubscriptionView(rot, true))
}

func (s *Server) webhookDeliveries(c *gin.Context) {
	sub, ok := s.webhookSubscription(c)
	if !ok {
		return
	}
	var errs []web.FieldError
	before, limit := int64(0), int64(defaultDeliveryPage)
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			errs = append(errs, web.FieldError{Field: "before", Message: "must be an event id"})
		}
		before = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > maxDeliveryPage {
			errs = append(errs, web.FieldError{Field: "limit", Message: "must be between 1 and 200"})
		}
		limit = n
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	rows, err := s.q.WebhookDeliveryList(c, dbq.WebhookDeliveryListParams{SubscriptionID: sub.ID, Before: before, MaxRows: int32(limit)})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	out := make([]WebhookDeliveryView, 0, len(rows))
	for _, r := range rows {
		out = append(out, WebhookDeliveryView{EventID: r.NotificationID, WebhookID: r.WebhookID, EventType: r.EventType, Status: r.Status,
			Attempts: r.Attempts, LastStatus: r.LastStatus, LastError: r.LastError, FirstAttemptAt: timePtr(r.FirstAttemptAt),
			LastAttemptAt: timePtr(r.LastAttemptAt), FinishedAt: timePtr(r.FinishedAt), CreatedAt: r.CreatedAt})
	}
	page := gin.H{"deliveries": out}
	if int64(len(rows)) == limit {
		page["next_before"] = rows[len(rows)-1].NotificationID
	}
	c.JSON(http.StatusOK, page)
}

func timePtr(t pgtype.Timestamptz) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

func (s *Server) replayWebhooks(c *gin.Context) {
	sub, ok := s.webhookSubscription(c)
	if !ok {
		return
	}
	var req webhookReplayRequest
	if !s.decodeJSON(c, &req, false) {
		return
	}
	if err := s.validate.Struct(&req); err != nil {
		web.ValidationProblem(c, web.FieldErrors(err))
		return
	}
	if sub.Status != "active" {
		web.Fail(c, http.StatusConflict, web.ProblemConflict, "the subscription is "+sub.Status+"; enable it (PATCH status active) to replay")
		return
	}
	n, err := s.q.WebhookDeliveryReplay(c, dbq.WebhookDeliveryReplayParams{SubscriptionID: sub.ID, FromID: req.FromEventID})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	if err := webhook.NewClient(s.temporal).Replay(c, sub.ID.String(), req.FromEventID); err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"from_event_id": req.FromEventID, "requeued": n})
}

// testWebhook posts a test event (type webhook.test) to the subscription's
// URL now, signed like every webhook, and answers what the receiver said;
// it is not recorded in the delivery log nor retried.
func (s *Server) testWebhook(c *gin.Context) {
	sub, ok := s.webhookSubscription(c)
	if !ok || !s.decodeJSON(c, &struct{}{}, true) {
		return
	}
	now := s.now()
	id := "msg_test_" + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
	body, _ := json.Marshal(map[string]any{"type": "webhook.test", "timestamp": now,
		"data": map[string]string{"subscription_id": sub.ID.String()}})
	secrets := []string{sub.Secret}
	if sub.PreviousSecret.Valid && sub.PreviousExpiresAt.Valid && now.Before(sub.PreviousExpiresAt.Time) {
		secrets = append(secrets, sub.PreviousSecret.String)
	}
	res, err := stdwebhook.Post(c, webhookHTTP, sub.Url, id, now, body, secrets...)
	if err != nil {
		res.Error = err.Error()
	}
	c.JSON(http.StatusOK, WebhookTestView{WebhookID: id, Delivered: res.Delivered(), Status: res.Status, Error: res.Error})
}

// webhookHTTP posts test events: bounded, following no redirect.
var webhookHTTP = &http.Client{Timeout: stdwebhook.Timeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// webhookDocs documents the webhook routes for the OpenAPI description.
func webhookDocs(docs map[string]routeDoc) {
	const one = "/v1/webhooks/subscriptions/:id"
	v := WebhookSubscriptionView{}
	docs["POST /v1/webhooks/subscriptions"] = routeDoc{Summary: "Subscribe a URL to the caller's organization's events (vendor admins: every event); the answer holds the signing secret", Body: webhookSubscriptionRequest{}, Response: v, Status: 201}
	docs["GET /v1/webhooks/subscriptions"] = routeDoc{Summary: "Webhook subscriptions (partner admins: their organization's)", Response: map[string]any{"subscriptions": []WebhookSubscriptionView{}}}
	docs["GET "+one] = routeDoc{Summary: "One webhook subscription", Response: v}
	docs["PATCH "+one] = routeDoc{Summary: "Change a subscription's URL, description, event types or status (active, disabled)", Body: webhookUpdateRequest{}, Response: v}
	docs["DELETE "+one] = routeDoc{Summary: "Delete a subscription and its delivery log", Response: map[string]any{"id": "", "deleted": true}}
	docs["POST "+one+"/rotate-secret"] = routeDoc{Summary: "A new signing secret; the old one keeps signing beside it for the overlap (default a day)", Body: webhookRotateRequest{}, Response: v}
	docs["GET "+one+"/deliveries"] = routeDoc{Summary: "The delivery log, newest first, paged by before=<event id>", Response: map[string]any{"deliveries": []WebhookDeliveryView{}, "next_before": int64(0)}, Query: []string{"before", "limit"}}
	docs["POST "+one+"/replay"] = routeDoc{Summary: "Deliver again every event from an event id on, with their original webhook-ids", Body: webhookReplayRequest{}, Response: map[string]any{"from_event_id": int64(0), "requeued": int64(0)}, Status: 202}
	docs["POST "+one+"/test"] = routeDoc{Summary: "Post a signed test event (type webhook.test) now and answer what the receiver said", Response: WebhookTestView{}}
}
