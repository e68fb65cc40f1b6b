package web

import (
	"math"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/dealflow/dealflow/internal/config"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// AuthGuard throttles authentication by client address, ahead of any
// token lookup (every API route that needs a token, and the console's
// sign-in): each address has a bucket of requests (DEALFLOW_AUTH_RATE_*),
// and failed authentications — a token unknown or revoked — from one
// address are counted in a bucket of their own (DEALFLOW_AUTH_FAILURE_LIMIT
// per DEALFLOW_AUTH_FAILURE_WINDOW). The failure that empties it locks the
// address out for DEALFLOW_AUTH_BACKOFF; each further failure after a
// lockout locks it out again for twice as long, up to
// DEALFLOW_AUTH_BACKOFF_MAX; an address quiet that long after its lockout
// starts afresh. A locked-out address gets 429 with Retry-After, whatever
// token it sends. Successful requests never lock anyone out. Like the
// per-token limiter, each API replica keeps its own state.
type AuthGuard struct {
	requests *RateLimiter
	failures *RateLimiter
	// failureLimit 0 means failures lock no one out.
	failureLimit        int
	backoff, maxBackoff time.Duration

	mu    sync.Mutex
	locks map[string]*lockout
	swept time.Time
}

// lockout is an address's lockout: until when, and how many in a row.
type lockout struct {
	until   time.Time
	strikes int
}

// NewAuthGuard returns the guard cfg configures (a zero Config, as tests
// build, throttles nothing). The API and the console share one, so a
// failed bearer token and a failed sign-in count against the same address.
func NewAuthGuard(cfg config.Config) *AuthGuard {
	g := &AuthGuard{failureLimit: cfg.AuthFailureLimit, backoff: cfg.AuthBackoff, maxBackoff: max(cfg.AuthBackoffMax, cfg.AuthBackoff),
		locks: map[string]*lockout{}}
	g.requests = NewRateLimiter(cfg.AuthRateLimit, cfg.AuthRateBurst)
	if cfg.AuthRateLimit <= 0 { // a Server built without settings (tests) limits nothing
		g.requests = NewRateLimiter(float64(rate.Inf), 1)
	}
	if g.failureLimit > 0 && cfg.AuthFailureWindow > 0 {
		// The limit-th failure within the window finds the bucket empty.
		g.failures = NewRateLimiter(float64(g.failureLimit)/cfg.AuthFailureWindow.Seconds(), g.failureLimit-1)
		g.failures.idle = max(g.failures.idle, cfg.AuthFailureWindow)
	}
	return g
}

// Check says whether addr may try to authenticate at now, or how long it
// must wait.
func (g *AuthGuard) Check(addr string, now time.Time) (bool, time.Duration) {
	g.mu.Lock()
	var wait time.Duration
	if l := g.locks[addr]; l != nil && now.Before(l.until) {
		wait = l.until.Sub(now)
	}
	g.mu.Unlock()
	if wait > 0 {
		return false, wait
	}
	return g.requests.Allow(addr, now)
}

// Failed records a failed authentication from addr at now.
func (g *AuthGuard) Failed(addr string, now time.Time) {
	if g.failures == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.swept) > time.Minute {
		for k, l := range g.locks {
			if g.forgiven(l, now) {
				delete(g.locks, k)
			}
		}
		g.swept = now
	}
	l := g.locks[addr]
	if l != nil && g.forgiven(l, now) {
		delete(g.locks, addr)
		l = nil
	}
	if l == nil {
		if ok, _ := g.failures.Allow(addr, now); ok {
			return
		}
		l = &lockout{}
		g.locks[addr] = l
	}
	d := g.maxBackoff
	if l.strikes < 30 {
		d = min(g.backoff<<l.strikes, g.maxBackoff)
	}
	l.strikes++
	l.until = now.Add(d)
}

// forgiven: the address has been quiet for the longest lockout since its
// last one ended.
func (g *AuthGuard) forgiven(l *lockout, now time.Time) bool {
	return now.Sub(l.until) > g.maxBackoff
}

// ClientAddress is who a request comes from, for throttling: the client
// IP as Gin sees it (the peer, or X-Forwarded-For from a trusted proxy
// only), and for IPv6 its /64, which one client commonly holds whole.
func ClientAddress(c *gin.Context) string {
	ip := net.ParseIP(c.ClientIP())
	switch {
	case ip == nil:
		return c.ClientIP()
	case ip.To4() != nil:
		return ip.To4().String()
	default:
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
}

// RetryAfter sets Retry-After to wait in whole seconds (at least 1).
func RetryAfter(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
}
