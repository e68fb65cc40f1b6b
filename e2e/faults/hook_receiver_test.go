package faults

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dealflow/dealflow/internal/stdwebhook"
)

// hookReceiver is the webhook receiver a fault test runs: it verifies
// every webhook's signature and keeps, per event, the webhook-ids it came
// with and, per deal, the order events first arrived in.
type hookReceiver struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	ids    map[int64]map[string]bool
	order  map[string][]int64
	total  int
	bad    []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{secret: stdwebhook.NewSecret(), ids: map[int64]map[string]bool{}, order: map[string][]int64{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct {
			Data struct {
				EventID int64  `json:"event_id"`
				DealID  string `json:"deal_id"`
			} `json:"data"`
		}
		err := stdwebhook.Verify(h.secret, r.Header, body, time.Now())
		if err == nil {
			err = json.Unmarshal(body, &ev)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.total++
		if err != nil {
			h.bad = append(h.bad, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		e := ev.Data.EventID
		if h.ids[e] == nil {
			h.ids[e] = map[string]bool{}
			h.order[ev.Data.DealID] = append(h.order[ev.Data.DealID], e)
		}
		h.ids[e][r.Header.Get(stdwebhook.HeaderID)] = true
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// distinct is how many events arrived.
func (h *hookReceiver) distinct() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ids)
}

// check fails the test unless total events arrived, each signed and with
// one webhook-id however often it came, first arriving in event order per
// deal, over deals deals.
func (h *hookReceiver) check(t *testing.T, total, deals int) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bad) > 0 {
		t.Errorf("%d webhooks failed verification, first: %s", len(h.bad), h.bad[0])
	}
	if len(h.ids) != total {
		t.Errorf("%d events arrived by webhook, want %d", len(h.ids), total)
	}
	for e, set := range h.ids {
		if len(set) != 1 {
			t.Errorf("event %d arrived with %d different webhook-ids", e, len(set))
		}
	}
	if len(h.order) != deals {
		t.Errorf("webhooks of %d deals, want %d", len(h.order), deals)
	}
	for deal, seq := range h.order {
		for i := 1; i < len(seq); i++ {
			if seq[i] <= seq[i-1] {
				t.Errorf("deal %s: event %d arrived before event %d", deal, seq[i-1], seq[i])
				break
			}
		}
	}
	t.Logf("%d webhooks for %d events over %d deals (%d duplicates, each with its original's webhook-id), every signature verified",
		h.total, total, deals, h.total-total)
}
