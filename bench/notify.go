package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/smtp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// NotifyOptions size the delivery-latency benchmark.
type NotifyOptions struct {
	// MailpitURL is the Mailpit web UI and API the stack's SMTP server
	// serves (http://127.0.0.1:8025).
	MailpitURL string
	// SMTPAddr is the same Mailpit's SMTP address, for the baseline.
	SMTPAddr string
	// N is how many notifications (and bare mails) are measured.
	N int
	// Rate is how many are written a second (paced, so the figures are
	// latency, not a queue).
	Rate float64
}

// NotifyFigures are one measured run's latencies, in milliseconds.
type NotifyFigures struct {
	Name string  `json:"name"`
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	Lost int     `json:"lost"`
}

// NotifyReport is event → delivered beside a bare SMTP send.
type NotifyReport struct {
	Rate     float64       `json:"per_second"`
	Bare     NotifyFigures `json:"bare_smtp"`
	Delivery NotifyFigures `json:"event_to_delivered"`
}

// Notify measures how long a notification takes from the moment the event
// writes it to the outbox until Mailpit has received its e-mail (the
// running stack's NotificationDelivery workflow delivers it), beside the
// baseline: this process handing an e-mail to the same Mailpit itself.
// Both are timed by Mailpit's receipt time (same machine clock) against the
// instant the row was committed or the send began.
func Notify(ctx context.Context, pool *pgxpool.Pool, o NotifyOptions, log *slog.Logger) (NotifyReport, error) {
	rep := NotifyReport{Rate: o.Rate}
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	addr := func(kind string, i int) string { return fmt.Sprintf("bench-%s-%s-%d@bench.example", kind, run, i) }

	bareAt := map[string]time.Time{}
	err := paced(ctx, o.N, o.Rate, func(i int) error {
		to := addr("bare", i)
		msg := "From: bench@bench.example\r\nTo: " + to + "\r\nSubject: bare " + to + "\r\n\r\nbaseline\r\n"
		bareAt[to] = time.Now()
		return smtp.SendMail(o.SMTPAddr, nil, "bench@bench.example", []string{to}, []byte(msg))
	})
	if err != nil {
		return rep, fmt.Errorf("baseline: %w", err)
	}
	if rep.Bare, err = arrivals(ctx, o.MailpitURL, "bare SMTP send to Mailpit", bareAt); err != nil {
		return rep, err
	}
	log.Info("measured", "what", rep.Bare.Name, "p99_ms", rep.Bare.P99)

	eventAt := map[string]time.Time{}
	err = paced(ctx, o.N, o.Rate, func(i int) error {
		to := addr("event", i)
		// What a deal event's transaction writes: one outbox row, here
		// addressed to one address and of no deal.
		_, err := pool.Exec(ctx, `INSERT INTO notifications (audience, kind, subject, created_at, ordinal)
			VALUES ($1, 'bench', $2, now(), 0)`, "email:"+to, "delivery benchmark "+run)
		eventAt[to] = time.Now()
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("events: %w", err)
	}
	if rep.Delivery, err = arrivals(ctx, o.MailpitURL, "event → delivered (outbox → workflow → Mailpit)", eventAt); err != nil {
		return rep, err
	}
	log.Info("measured", "what", rep.Delivery.Name, "p99_ms", rep.Delivery.P99)
	return rep, nil
}

// paced calls f n times at rate a second.
func paced(ctx context.Context, n int, rate float64, f func(int) error) error {
	start := time.Now()
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		if err := f(i); err != nil {
			return err
		}
	}
	return nil
}

type mailpitList struct {
	Total    int `json:"total"`
	Messages []struct {
		To []struct {
			Address string `json:"Address"`
		} `json:"To"`
		Created time.Time `json:"Created"`
	} `json:"messages"`
}

// arrivals waits (up to a minute) until Mailpit holds a message to every
// address of sent, then returns the latencies from each sent time to
// Mailpit's receipt.
func arrivals(ctx context.Context, mailpit string, name string, sent map[string]time.Time) (NotifyFigures, error) {
	deadline := time.Now().Add(time.Minute)
	got := map[string]time.Time{}
	for {
		for start := 0; ; start += 500 {
			var page mailpitList
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/messages?start=%d&limit=500", strings.TrimRight(mailpit, "/"), start), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return NotifyFigures{}, err
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil {
				return NotifyFigures{}, fmt.Errorf("mailpit messages: %w", err)
			}
			for _, m := range page.Messages {
				for _, to := range m.To {
					if _, ok := sent[to.Address]; ok {
						if t, seen := got[to.Address]; !seen || m.Created.Before(t) {
							got[to.Address] = m.Created
						}
					}
				}
			}
			if len(page.Messages) < 500 {
				break
			}
		}
		if len(got) == len(sent) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var lat []time.Duration
	for to, at := range sent {
		if r, ok := got[to]; ok {
			lat = append(lat, max(r.Sub(at), 0))
		}
	}
	if len(lat) == 0 {
		return NotifyFigures{Name: name, Lost: len(sent)}, fmt.Errorf("%s: nothing arrived in Mailpit", name)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) float64 { return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
	return NotifyFigures{Name: name, N: len(lat), P50: pct(0.50), P95: pct(0.95), P99: pct(0.99), Max: ms(lat[len(lat)-1]),
		Lost: len(sent) - len(lat)}, nil
}

// Table renders the report.
func (r NotifyReport) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "notification delivery latency, %.0f a second, beside a bare SMTP send to the same Mailpit\n", r.Rate)
	fmt.Fprintf(&b, "%-50s %6s %9s %9s %9s %9s %5s\n", "", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "lost")
	for _, f := range []NotifyFigures{r.Bare, r.Delivery} {
		fmt.Fprintf(&b, "%-50s %6d %9.1f %9.1f %9.1f %9.1f %5d\n", f.Name, f.N, f.P50, f.P95, f.P99, f.Max, f.Lost)
	}
	fmt.Fprintf(&b, "event → delivered p99: %.0f ms (target ≤ 2000)\n", r.Delivery.P99)
	return b.String()
}
