// Package steps holds the step tables: every human step on a deal
// (Deal) and on an incentive cycle (Cycle), each entry naming its path,
// the workflow Update it sends, the roles that may take it, the request
// body it takes (validated by its tags, turned into the Update's argument
// by its Arg method), when it is offered and the form the console shows
// for it. The JSON API (api) generates its step routes from these tables,
// and the console (console) its form routes and its deal page's forms, so
// a new step is one entry here plus its workflow handler (and a test).
//
// A new business context with steps of its own adds a file here (quote.go)
// with its table, and a matching file in api and in console that serves it.
// lead.go holds the lead context's requests (a lead, an import's rows,
// routing rules, a partner's lead profile), validated the same way by
// both.
package steps
