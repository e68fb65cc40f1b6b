package console

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestSessionsLiveByTheServiceClock: a console session is opened and
// judged live by the service's clock alone, never the database's: one
// opened with the clock years from the wall clock (either way) works, lasts
// exactly sessionTTL by that clock, and is refused the moment it has
// passed, whatever the day the test runs on.
func TestSessionsLiveByTheServiceClock(t *testing.T) {
	w := newQuoteWorld(t)
	for _, opened := range []time.Time{
		time.Date(2019, 12, 31, 23, 30, 0, 0, time.UTC),
		time.Date(2041, 2, 28, 13, 0, 0, 0, time.UTC),
	} {
		w.clk.set(opened)
		_, session, _ := w.consoleSession(t, "Clock Keeper "+opened.Format("2006"), "channel_manager", uuid.NullUUID{}, "/console/programs")
		w.clk.set(opened.Add(sessionTTL - time.Second))
		if rec := w.send(t, session, http.MethodGet, "/console/programs", nil); rec.Code != http.StatusOK {
			t.Fatalf("opened %s, a second before it ends: %d", opened, rec.Code)
		}
		w.clk.set(opened.Add(sessionTTL))
		rec := w.send(t, session, http.MethodGet, "/console/programs", nil)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/console/sign-in" {
			t.Fatalf("opened %s, at its end: %d %s", opened, rec.Code, rec.Header().Get("Location"))
		}
	}
}
