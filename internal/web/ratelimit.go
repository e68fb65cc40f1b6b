package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter holds one token bucket per key — an API token (by its id)
// after authentication, a client address before it (authGuard): Rate
// requests a second, Burst at once. Each API replica keeps its own
// buckets, so a cluster of N replicas allows up to N times the rate; put a
// shared limiter in the load balancer when that matters.
type RateLimiter struct {
	rate  rate.Limit
	burst int
	// idle is how long a key's bucket is kept unused before it is forgotten
	// (a full bucket, as a new one would be).
	idle  time.Duration
	mu    sync.Mutex
	by    map[string]*bucket
	swept time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewRateLimiter allows perSecond requests a second per key, burst at once.
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	return &RateLimiter{rate: rate.Limit(perSecond), burst: burst, idle: 10 * time.Minute, by: map[string]*bucket{}}
}

// Allow takes one request from key's bucket, or says how long to wait.
func (l *RateLimiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute { // forget keys idle for l.idle
		for k, b := range l.by {
			if now.Sub(b.seen) > l.idle {
				delete(l.by, k)
			}
		}
		l.swept = now
	}
	b := l.by[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.by[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
