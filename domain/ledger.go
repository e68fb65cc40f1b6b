package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Ledger accounts. An accrued incentive debits incentive_expense and credits
// partner_payable; paying a partner debits partner_payable and credits
// cash; a clawback reverses the accrual's sides.
const (
	AccountIncentiveExpense = "incentive_expense"
	AccountPartnerPayable   = "partner_payable"
	AccountCash             = "cash"
)

// LedgerEntry is one line of the double-entry incentive ledger. Entries are
// never edited; each carries the hash of its predecessor and its own hash
// over every field, so changing, removing or reordering any entry breaks
// the chain from there on.
type LedgerEntry struct {
	Seq         int64     `json:"seq"`
	Key         string    `json:"entry_key"`
	PostedAt    time.Time `json:"posted_at"`
	CycleID     string    `json:"cycle_id"`
	PartnerID   string    `json:"partner_id"`
	LineID      string    `json:"line_id,omitempty"`
	Account     string    `json:"account"`
	Debit       int64     `json:"debit"`
	Credit      int64     `json:"credit"`
	Currency    string    `json:"currency"`
	ReversesSeq int64     `json:"reverses_seq,omitempty"`
	Memo        string    `json:"memo"`
	PrevHash    string    `json:"prev_hash"`
	Hash        string    `json:"hash"`
}

// ComputeHash returns the hex SHA-256 of the entry's fields and its
// predecessor's hash, in a fixed text form (times in UTC to the
// microsecond, as PostgreSQL stores them).
func (e LedgerEntry) ComputeHash() string {
	fields := []string{
		strconv.FormatInt(e.Seq, 10), e.Key, e.PostedAt.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"),
		e.CycleID, e.PartnerID, e.LineID, e.Account, strconv.FormatInt(e.Debit, 10), strconv.FormatInt(e.Credit, 10),
		e.Currency, strconv.FormatInt(e.ReversesSeq, 10), e.Memo, e.PrevHash,
	}
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(strconv.Itoa(len(f)))) // length-prefixed: no field can spill into the next
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Chain links entries after the entry (headSeq, headHash): it numbers them,
// sets each one's PrevHash and Hash, and returns the new head.
func Chain(entries []LedgerEntry, headSeq int64, headHash string) (int64, string) {
	for i := range entries {
		headSeq++
		entries[i].Seq = headSeq
		entries[i].PrevHash = headHash
		entries[i].Hash = entries[i].ComputeHash()
		headHash = entries[i].Hash
	}
	return headSeq, headHash
}

// LedgerVerifier checks a ledger read in chain order: every hash, the
// links between entries, contiguous numbering, and that debits equal
// credits for every posting (a cycle's entries for one partner) and in
// total per currency. Feed it every entry, then call Result.
type LedgerVerifier struct {
	n        int64
	prevSeq  int64
	prevHash string
	first    *LedgerProblem
	totals   map[string][2]int64 // currency → debits, credits
	postings map[string][2]int64 // cycle/partner/currency → debits, credits
}

// LedgerProblem names the first entry where the ledger is wrong.
type LedgerProblem struct {
	Seq    int64  `json:"seq"`
	Key    string `json:"entry_key"`
	Reason string `json:"reason"`
}

func (p LedgerProblem) Error() string {
	return fmt.Sprintf("ledger entry %d (%s): %s", p.Seq, p.Key, p.Reason)
}

// LedgerReport is the outcome of a verification.
type LedgerReport struct {
	Entries int64 `json:"entries"`
	// Totals holds, per currency, the sum of debits (= credits when OK).
	Totals   map[string]int64 `json:"totals"`
	HeadSeq  int64            `json:"head_seq"`
	HeadHash string           `json:"head_hash"`
	OK       bool             `json:"ok"`
	Problem  *LedgerProblem   `json:"problem,omitempty"`
}

// Add checks the next entry in chain order.
func (v *LedgerVerifier) Add(e LedgerEntry) {
	if v.totals == nil {
		v.totals, v.postings = map[string][2]int64{}, map[string][2]int64{}
	}
	v.n++
	fail := func(reason string) {
		if v.first == nil {
			v.first = &LedgerProblem{Seq: e.Seq, Key: e.Key, Reason: reason}
		}
	}
	switch {
	case e.Seq != v.prevSeq+1:
		fail(fmt.Sprintf("sequence jumps from %d to %d: entries are missing", v.prevSeq, e.Seq))
	case e.PrevHash != v.prevHash:
		fail("does not link to the entry before it (prev_hash differs)")
	case e.ComputeHash() != e.Hash:
		fail("hash does not match the entry's contents: the entry was altered")
	case (e.Debit == 0) == (e.Credit == 0) || e.Debit < 0 || e.Credit < 0:
		fail("an entry must have exactly one positive side")
	}
	v.prevSeq, v.prevHash = e.Seq, e.Hash
	t := v.totals[e.Currency]
	t[0] += e.Debit
	t[1] += e.Credit
	v.totals[e.Currency] = t
	k := e.CycleID + "/" + e.PartnerID + "/" + e.Currency
	p := v.postings[k]
	p[0] += e.Debit
	p[1] += e.Credit
	v.postings[k] = p
}

// Last is the sequence number of the last entry added (0: none).
func (v *LedgerVerifier) Last() int64 { return v.prevSeq }

// Result reports the verification of every entry added.
func (v *LedgerVerifier) Result() LedgerReport {
	r := LedgerReport{Entries: v.n, Totals: map[string]int64{}, HeadSeq: v.prevSeq, HeadHash: v.prevHash, Problem: v.first}
	for cur, t := range v.totals {
		r.Totals[cur] = t[0]
		if t[0] != t[1] && r.Problem == nil {
			r.Problem = &LedgerProblem{Reason: fmt.Sprintf("%s debits %d ≠ credits %d", cur, t[0], t[1])}
		}
	}
	if r.Problem == nil {
		keys := make([]string, 0, len(v.postings))
		for k := range v.postings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := v.postings[k]; p[0] != p[1] {
				r.Problem = &LedgerProblem{Key: k, Reason: fmt.Sprintf("posting %s: debits %d ≠ credits %d", strings.TrimSuffix(k, "/"), p[0], p[1])}
				break
			}
		}
	}
	r.OK = r.Problem == nil
	return r
}
