// Package archtest keeps dealflow's layering: its test (layers_test.go)
// reads the module's import graph from `go list -json` and fails, naming
// the offending import path, when the API or the console reaches an
// activities package, a workflow contract reaches one, a context's
// workflows reach another context's activities, activities reach the
// API, or anything but the wiring (worker, cmd/dealflow, bench) imports a
// context's activities. It has no code of its own.
package archtest
