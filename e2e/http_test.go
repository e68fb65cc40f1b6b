package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
)

// response is an HTTP answer with its body decoded loosely for assertions.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// call sends method path with a bearer token (none when token is "") and a
// body: a string is sent as is, anything else as JSON.
func call(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, stack.baseURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// must fails the test unless r has the wanted status.
func (r response) must(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// problem asserts r is an RFC 9457 problem with the given status and type.
func (r response) problem(t *testing.T, status int, typ string) response {
	t.Helper()
	r.must(t, status)
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, r.raw)
	}
	if r.body["type"] != typ || r.body["status"] != float64(status) || r.body["title"] == "" {
		t.Fatalf("problem = %s, want type %s", r.raw, typ)
	}
	return r
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// fieldErrors returns the problem's per-field errors as field → message.
func (r response) fieldErrors() map[string]string {
	out := map[string]string{}
	list, _ := r.body["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		msg, _ := m["message"].(string)
		out[f] = msg
	}
	return out
}

func (r response) timeline(t *testing.T) []map[string]any {
	t.Helper()
	list, ok := r.body["timeline"].([]any)
	if !ok {
		t.Fatalf("no timeline in %s", r.raw)
	}
	out := make([]map[string]any, len(list))
	for i, e := range list {
		out[i] = e.(map[string]any)
	}
	return out
}

// dealBody is the registration from the contract, for a customer
// domain of its own (so that tests do not conflict with each other).
func dealBody() map[string]any {
	return map[string]any{
		"customer":            map[string]any{"name": uniqueName(), "domain": uniqueDomain(), "country": "US"},
		"contact":             map[string]any{"name": "Jane Doe", "email": "jane@acme.com"},
		"product_lines":       []string{"firewall"},
		"amount":              1250000,
		"currency":            "USD",
		"expected_close_date": "2027-03-31",
		"notes":               "...",
	}
}

var domainSeq atomic.Int64

// uniqueName returns a company name unlike any other test's, so that the
// conflict engine sees no conflict unless a test makes one.
func uniqueName() string {
	b := make([]byte, 10)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return "Acme " + string(b) + " Corp"
}

// uniqueDomain returns a customer domain no other test uses.
func uniqueDomain() string {
	return fmt.Sprintf("acme-%d-%d.com", os.Getpid(), domainSeq.Add(1))
}

// callWithHeaders is call with extra request headers.
func callWithHeaders(t *testing.T, method, path, token string, body any, headers map[string]string) response {
	t.Helper()
	buf, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, stack.baseURL+path, bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}
