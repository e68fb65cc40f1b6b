package web

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gin-gonic/gin"
)

const ctxRequestID = "dealflow.request_id"

// RequestID takes the caller's X-Request-Id (when sane) or makes one, and
// returns it on the response so logs and problems can be matched.
func RequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if len(id) == 0 || len(id) > 64 || !PrintableASCII(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

// RequestIDOf is the request's id (RequestID).
func RequestIDOf(c *gin.Context) string { return c.GetString(ctxRequestID) }

// ResponseHeaders sets, on every answer (JSON, problem, CSV, console
// page, static file, redirect), the headers that keep browsers from
// guessing a content type, caches from keeping what a token or session
// read, and other sites from framing it: the one place they are set.
func ResponseHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// PrintableASCII reports whether s is all printable ASCII, without spaces.
func PrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
