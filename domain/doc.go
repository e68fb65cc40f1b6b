// Package domain holds dealflow's pure business rules: deal statuses and the
// transitions between them, roles, partner types, currencies and money, and
// customer-domain normalization. It does no I/O so that workflows (which must
// be deterministic), activities and the API can all share it, and so that it
// can be tested exhaustively without any service running.
package domain
