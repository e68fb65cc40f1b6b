// Package archtest keeps dealflow's layering: its test (layers_test.go)
// reads the module's import graph from `go list -json` and fails, naming
// the offending import path, when the API or the console reaches an
// activities package, a workflow contract reaches one, a context's
// workflows reach another context's activities, activities reach the
// API, anything but the wiring (worker, cmd/dealflow, bench) imports a
// context's activities, the console imports the API (or the API the
// console; they share read, internal/steps and internal/web), or anything
// but internal/exports writes CSV files. It has no code of its own.
package archtest
