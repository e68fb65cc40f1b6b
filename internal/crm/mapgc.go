package crm

import (
	"os"
	"runtime/debug"
)

// mapGCPercent is the garbage collector's target (GOGC) a full map runs
// with in a process of its own (`dealflow mapping rebuild`): the partner
// accounts' index (about 150 MB for a hundred thousand accounts) stays
// live while a million vendor rows pass through it, and at the default
// target of 100 the collector traces that index again every ~150 MB
// allocated; at 400 it runs a fifth as often, for about 0.3 CPU-seconds
// less a map at that size and a heap about twice as large at its peak.
const mapGCPercent = 400

// TuneGCForMapping sets the process's garbage collector for a full map,
// unless GOGC is set in the environment (an operator's choice wins), and
// returns a function that puts back the setting before. Only a process
// whose job is the map should call it: `dealflow mapping rebuild`, and the
// benchmark that times what it does.
func TuneGCForMapping() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	before := debug.SetGCPercent(mapGCPercent)
	return func() { debug.SetGCPercent(before) }
}
