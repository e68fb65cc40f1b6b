package stdwebhook

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// Timeout bounds one delivery attempt: connecting, sending and reading the
// answer.
const Timeout = 10 * time.Second

// Result is what one attempt got: the HTTP status (0: no answer) and, when
// it was not a 2xx, why.
type Result struct {
	Status int
	Error  string
}

// Delivered says the receiver took the webhook (any 2xx).
func (r Result) Delivered() bool { return r.Status >= 200 && r.Status < 300 }

// Gone says the receiver wants no more webhooks (410 Gone): the
// subscription is disabled.
func (r Result) Gone() bool { return r.Status == http.StatusGone }

// Post sends body (JSON) to url as webhook id at ts, signed with each
// secret, and returns what the receiver answered; a network error or
// timeout is a Result with Status 0, never an error: an error is only a
// request that cannot be built (a bad URL or secret).
func Post(ctx context.Context, c *http.Client, url, id string, ts time.Time, body []byte, secrets ...string) (Result, error) {
	h, err := Headers(id, ts, body, secrets...)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dealflow-webhooks/1")
	res, err := c.Do(req)
	if err != nil {
		return Result{Error: err.Error()}, nil
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	out := Result{Status: res.StatusCode}
	if !out.Delivered() {
		out.Error = res.Status
		if len(bytes.TrimSpace(snippet)) > 0 {
			out.Error += ": " + string(bytes.ToValidUTF8(bytes.TrimSpace(snippet), []byte("?")))
		}
	}
	return out, nil
}
