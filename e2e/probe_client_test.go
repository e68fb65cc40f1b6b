package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// prober sends the review's probes from a loopback address of its own (so
// that the throttle it may meet never slows the rest of the suite) and
// checks every answer against what issue 12 promises of any answer: never
// a 5xx; nosniff and no-store on every one; a problem's detail in words,
// never Temporal's internals. It keeps a histogram of statuses and the
// list of offenders, which the test fails on at the end, all at once.
type prober struct {
	t         *testing.T
	client    *http.Client
	statuses  map[int]int
	offenders []string
	sent      int
	throttled int
}

func newProber(t *testing.T, ip string) *prober {
	return &prober{t: t, client: clientFrom(ip), statuses: map[int]int{}}
}

// probe is one request of the sweep and what its answer must be.
type probe struct {
	method, path string
	token        string
	// contentType defaults to application/json when there is a body.
	contentType string
	body        []byte
	headers     map[string]string
	// what says what the probe is, for the offenders' list.
	what string
	// refused: the input is bad, so the answer must be a 4xx.
	refused bool
	// field: the 422 must name this field (or the raw JSON field it is in).
	field string
}

// jsonBody marshals v for a probe's body.
func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// send sends p (waiting out a 429 of the throttle, which is not what is
// probed) and records what the answer breaks.
func (pr *prober) send(p probe) response {
	pr.t.Helper()
	for attempt := 0; ; attempt++ {
		r := pr.do(p)
		if r.status == http.StatusTooManyRequests && attempt < 20 {
			pr.throttled++
			wait, _ := strconv.Atoi(r.header.Get("Retry-After"))
			time.Sleep(time.Duration(max(wait, 1)) * time.Second)
			continue
		}
		pr.check(p, r)
		return r
	}
}

func (pr *prober) do(p probe) response {
	pr.t.Helper()
	var rd io.Reader
	if p.body != nil {
		rd = bytes.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(pr.t.Context(), p.method, stack.baseURL+p.path, rd)
	if err != nil {
		pr.t.Fatalf("%s %s: %v", p.method, p.path, err)
	}
	if p.body != nil {
		ct := p.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	res, err := pr.client.Do(req)
	if err != nil {
		pr.t.Fatalf("%s %s (%s): %v", p.method, p.path, p.what, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (pr *prober) check(p probe, r response) {
	pr.sent++
	pr.statuses[r.status]++
	bad := func(why string) {
		pr.offenders = append(pr.offenders, fmt.Sprintf("%s %s [%s]: %d %s: %.300s", p.method, shorten(p.path), p.what, r.status, why, r.raw))
	}
	switch {
	case r.status >= 500:
		bad("a 5xx")
	case p.refused && (r.status < 400 || r.status >= 500):
		bad("bad input not refused with a 4xx")
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
		bad(fmt.Sprintf("headers nosniff=%q cache=%q", r.header.Get("X-Content-Type-Options"), r.header.Get("Cache-Control")))
	}
	if d := r.str("detail"); strings.Contains(d, "(type:") || strings.Contains(d, "retryable:") {
		bad("the detail shows Temporal's internals")
	}
	if p.field != "" && r.status < 500 && !namesField(r, p.field) {
		bad("the 422 does not name " + p.field)
	}
}

// namesField says whether r is a 422 naming field: the field itself, or
// the raw JSON field (rules, policy) it sits in; a decoding error names
// nested fields without their indices, so indices are compared loosely.
func namesField(r response, field string) bool {
	if r.status != http.StatusUnprocessableEntity {
		return false
	}
	want := stripIndices(field)
	for f := range r.fieldErrors() {
		f = stripIndices(f)
		if f == want || f != "" && strings.HasPrefix(want, f+".") {
			return true
		}
	}
	return false
}

func stripIndices(s string) string {
	var b strings.Builder
	skip := false
	for _, r := range s {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func shorten(path string) string {
	if len(path) > 120 {
		return path[:100] + "…(" + strconv.Itoa(len(path)) + " bytes)"
	}
	return path
}

// histogram renders the statuses seen, in order.
func (pr *prober) histogram() string {
	var codes []int
	for c := range pr.statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var out []string
	for _, c := range codes {
		out = append(out, fmt.Sprintf("%d×%d", c, pr.statuses[c]))
	}
	return strings.Join(out, " ")
}

// report fails the test with every offender and logs the histogram, then
// starts a new count.
func (pr *prober) report(name string) {
	pr.t.Helper()
	pr.t.Logf("%s: %d probes, statuses %s (%d waits on the throttle)", name, pr.sent, pr.histogram(), pr.throttled)
	if len(pr.offenders) > 0 {
		pr.t.Errorf("%s: %d of %d probes broke a promise:\n%s", name, len(pr.offenders), pr.sent, strings.Join(pr.offenders, "\n"))
	}
	pr.offenders, pr.statuses, pr.sent, pr.throttled = nil, map[int]int{}, 0, 0
}

// consoleAs signs in to the console from the prober's address as the
// holder of token, returning a client with the session and its CSRF token.
func (pr *prober) consoleAs(token string) (*http.Client, string) {
	t := pr.t
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Transport: pr.client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	m := csrfField.FindStringSubmatch(get(t, cl, "/console/sign-in", http.StatusOK))
	if m == nil {
		t.Fatal("no csrf field on the sign-in page")
	}
	res, err := cl.PostForm(stack.baseURL+"/console/sign-in", url.Values{"csrf": {m[1]}, "token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("console sign-in: %d", res.StatusCode)
	}
	m = csrfField.FindStringSubmatch(get(t, cl, res.Header.Get("Location"), http.StatusOK)) // the role's home
	if m == nil {
		t.Fatal("no csrf token in the console")
	}
	return cl, m[1]
}

// consoleSend sends a console request with a session client and records
// its answer like send: no 5xx, the headers. It returns the status and,
// for a redirect, the done message it carries.
func (pr *prober) consoleSend(cl *http.Client, method, path string, form url.Values, what string) (int, string) {
	pr.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(pr.t.Context(), method, stack.baseURL+path, rd)
	if err != nil {
		pr.t.Fatalf("%s %s: %v", method, path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := cl.Do(req)
	if err != nil {
		pr.t.Fatalf("%s %s: %v", method, path, err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	r := response{status: res.StatusCode, header: res.Header, raw: raw}
	pr.check(probe{method: method, path: path, what: what}, r)
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc == nil {
		return r.status, ""
	}
	return r.status, loc.Query().Get("done")
}
