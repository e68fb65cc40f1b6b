package web

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Download answers with the file write writes (one of internal/exports),
// named filename. The headers that make the answer a CSV download are set
// as its first byte goes out, so a failure before then is answered as a
// problem (503); a failure after it, when the client has part of the file
// (or has gone away), can only be logged, and is.
func Download(c *gin.Context, log *slog.Logger, filename string, write func(io.Writer) error) {
	d := &csvDownload{c: c, filename: filename}
	err := write(d)
	switch {
	case err != nil && !d.started:
		Unavailable(c, log, err)
	case err != nil:
		log.Error("export interrupted", "file", filename, "err", err, "request_id", RequestIDOf(c))
	case !d.started:
		d.start()
		c.Status(http.StatusOK)
	}
}

// csvDownload is the response body of a download, started on its first
// write.
type csvDownload struct {
	c        *gin.Context
	filename string
	started  bool
}

func (d *csvDownload) start() {
	d.started = true
	d.c.Header("Content-Type", "text/csv; charset=utf-8")
	d.c.Header("Content-Disposition", `attachment; filename="`+d.filename+`"`)
}

// Write sends p, starting the download first.
func (d *csvDownload) Write(p []byte) (int, error) {
	if !d.started {
		d.start()
	}
	return d.c.Writer.Write(p)
}
