package api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/dealflow/dealflow/read"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// listDeals pages through deals newest first: partners see their
// organization's, vendor roles all. Filters: status (comma-separated),
// partner_id, escalated, expiring_before (a date or timestamp), limit,
// cursor (from the previous page's next_cursor).
func (s *Server) listDeals(c *gin.Context) {
	p := web.PrincipalOf(c)
	params := dbq.DealListParams{ScopePartnerID: p.Scope(), Statuses: []string{}}
	var errs []web.FieldError
	bad := func(field, msg string) { errs = append(errs, web.FieldError{Field: field, Message: msg}) }
	if v := c.Query("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			if !domain.Status(strings.TrimSpace(st)).Valid() {
				bad("status", "unknown status "+strconv.Quote(st))
				continue
			}
			params.Statuses = append(params.Statuses, strings.TrimSpace(st))
		}
	}
	if v := c.Query("partner_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			bad("partner_id", "must be a partner id")
		}
		params.PartnerID = uuid.NullUUID{UUID: id, Valid: err == nil}
	}
	if v := c.Query("escalated"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("escalated", "must be true or false")
		}
		params.Escalated = pgtype.Bool{Bool: b, Valid: err == nil}
	}
	if v := c.Query("expiring_before"); v != "" {
		t, err := parseDateOrTime(v)
		if err != nil {
			bad("expiring_before", "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp")
		}
		params.ExpiringBefore = pgtype.Timestamptz{Time: t, Valid: err == nil}
	}
	size, err := pageSize(c.Query("limit"))
	if err != nil {
		bad("limit", err.Error())
	}
	params.PageSize = int32(size + 1) // one more tells whether a next page exists
	if v := c.Query("cursor"); v != "" {
		at, id, ok := decodeCursor(v)
		if !ok {
			bad("cursor", "is not a cursor this API returned")
		}
		params.CursorCreatedAt = pgtype.Timestamptz{Time: at, Valid: ok}
		params.CursorID = uuid.NullUUID{UUID: id, Valid: ok}
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	rows, err := s.read.Deals(c, params)
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	next := ""
	if len(rows) > size {
		rows = rows[:size]
		last := rows[len(rows)-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	c.JSON(http.StatusOK, gin.H{"deals": read.DealsOf(rows), "next_cursor": next})
}

// inbox lists what awaits channel managers, most urgent (earliest SLA due,
// escalated first since they are past due) first; limit and offset page it.
func (s *Server) inbox(c *gin.Context) {
	size, err := pageSize(c.Query("limit"))
	var errs []web.FieldError
	if err != nil {
		errs = append(errs, web.FieldError{Field: "limit", Message: err.Error()})
	}
	offset := 0
	if v := c.Query("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 || offset > 100000 {
			errs = append(errs, web.FieldError{Field: "offset", Message: "must be an integer from 0 to 100000"})
		}
	}
	if len(errs) > 0 {
		web.ValidationProblem(c, errs)
		return
	}
	rows, err := s.read.Inbox(c, dbq.DealInboxParams{PageSize: int32(size), PageOffset: int32(offset)})
	if err != nil {
		web.Unavailable(c, s.log, err)
		return
	}
	items := make([]read.InboxItem, 0, len(rows))
	for _, d := range rows {
		items = append(items, read.InboxItemOf(d))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func pageSize(v string) (int, error) {
	if v == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, errLimit
	}
	return n, nil
}

var errLimit = errors.New("must be an integer from 1 to " + strconv.Itoa(maxPageSize))

func parseDateOrTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}

func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id.String()))
}

func decodeCursor(v string) (time.Time, uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return time.Time{}, uuid.UUID{}, false
	}
	ts, idText, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, uuid.UUID{}, false
	}
	at, err1 := time.Parse(time.RFC3339Nano, ts)
	id, err2 := uuid.Parse(idText)
	return at, id, err1 == nil && err2 == nil
}
