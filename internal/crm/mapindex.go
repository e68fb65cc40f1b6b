package crm

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// mapParty is one partner account as MapAll holds it in memory.
type mapParty struct {
	id, partner uuid.UUID
	relation    string
	label       string // domain_label
	party       domain.Party
}

// mapIndex finds a vendor record's candidates among the partner accounts:
// those sharing a name blocking key (domain.NameKeys) or the domain name
// (domain_label, which free mail does not have). Both are keyIndexes
// (keytable.go): a filter in front of tables split by the keys' top bits,
// so that a batch of vendor keys is looked up part by part, each part's
// table in a core's cache.
type mapIndex struct {
	parties []mapParty
	screens []domain.MatchScreen // the parties' screens, apart, so that screening reads little memory
	keys    keyIndex
	labels  keyIndex // by labelKey of their domain_label
}

// labelKey is the key a domain name is looked up by: its hash
// (distinct names sharing one are told apart by comparing the names).
func labelKey(label string) int64 { return int64(domain.StringHash(label)) }

// loadMapIndex reads every partner account, on loadStreams connections
// in snapshot (each a range of the table's blocks), prepares its name for
// scoring and indexes it by its name blocking keys (domain.AppendNameKeys
// of the stored names: every writer stores domain.NameKeys of them, which
// the re-map reads) and its domain name. rows is about how many there are
// (the table's statistics), to size memory.
func loadMapIndex(ctx context.Context, pool *pgxpool.Pool, snapshot string, blocks int64, rows int) (*mapIndex, error) {
	const loadStreams = 2
	parts := make([][]mapParty, loadStreams)
	pairs := make([]partyKeys, loadStreams)
	g, gctx := errgroup.WithContext(ctx)
	for i, r := range blockRanges(blocks, loadStreams) {
		g.Go(func() error {
			var err error
			parts[i], pairs[i], err = loadPartnerRange(gctx, pool, snapshot, r[0], r[1], rows/loadStreams+rows/16)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("partner accounts: %w", err)
	}
	idx := &mapIndex{}
	n, nk, nl := 0, 0, 0
	for i := range parts {
		n, nk, nl = n+len(parts[i]), nk+len(pairs[i].names), nl+len(pairs[i].labels)
	}
	idx.parties = make([]mapParty, 0, n)
	names, labels := make([]keyParty, 0, nk), make([]keyParty, 0, nl)
	idx.screens = make([]domain.MatchScreen, 0, n)
	for i := range parts {
		base := int32(len(idx.parties))
		idx.parties = append(idx.parties, parts[i]...)
		for j := range parts[i] {
			idx.screens = append(idx.screens, domain.NewMatchScreen(&parts[i][j].party))
		}
		for _, p := range pairs[i].names {
			names = append(names, keyParty{p.k, p.party + base})
		}
		for _, p := range pairs[i].labels {
			labels = append(labels, keyParty{p.k, p.party + base})
		}
	}
	workers := max(runtime.GOMAXPROCS(0), 1)
	idx.keys, idx.labels = buildKeyIndex(names, workers), buildKeyIndex(labels, workers)
	return idx, nil
}

// partyKeys are the name keys and domain-name keys of some partner
// accounts.
type partyKeys struct{ names, labels []keyParty }

// loadPartnerRange reads the partner accounts in blocks [from, to) of
// their table (to -1: to its end), prepared, with their keys (party
// indices from 0); expect is about how many rows that is.
func loadPartnerRange(ctx context.Context, pool *pgxpool.Pool, snapshot string, from, to int64, expect int) ([]mapParty, partyKeys, error) {
	pairs := partyKeys{names: make([]keyParty, 0, 16*expect), labels: make([]keyParty, 0, expect)}
	tx, err := snapshotTx(ctx, pool, snapshot)
	if err != nil {
		return nil, pairs, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT id, partner_id, relation, name_full, name_core, registrable_domain, domain_label, country
	    FROM partner_accounts WHERE `+blockRange(from, to))
	if err != nil {
		return nil, pairs, err
	}
	defer rows.Close()
	var (
		parties = make([]mapParty, 0, expect)
		keys    []int64
		arena   domain.PrepareArena
	)
	for rows.Next() {
		var p mapParty
		// The ids as [16]byte: uuid.UUID would be scanned through its text.
		if err := rows.Scan((*[16]byte)(&p.id), (*[16]byte)(&p.partner), &p.relation, &p.party.Name.Full, &p.party.Name.Core, &p.party.Registrable, &p.label, &p.party.Country); err != nil {
			return nil, pairs, err
		}
		p.party.PrepareWith(&arena)
		i := int32(len(parties))
		parties = append(parties, p)
		keys = domain.AppendNameKeys(keys[:0], p.party.Name)
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			pairs.names = append(pairs.names, keyParty{k, i})
		}
		if p.label != "" {
			pairs.labels = append(pairs.labels, keyParty{labelKey(p.label), i})
		}
	}
	return parties, pairs, rows.Err()
}

// matcher is one worker's state: the stamp of the vendor row that last saw
// each partner account (so that none is scored twice for one row), and the
// scratch space of a batch's key lookups.
type matcher struct {
	idx    *mapIndex
	seen   []uint32
	stamp  uint32
	keys   []int64
	probes keyProbes
	labels keyProbes
	prep   domain.Prepared // the vendor row's preparation
}

func (idx *mapIndex) matcher() *matcher {
	return &matcher{idx: idx, seen: make([]uint32, len(idx.parties)), keys: make([]int64, 0, 64),
		probes: keyProbes{idx: &idx.keys}, labels: keyProbes{idx: &idx.labels}}
}

// matchBatch appends the overlaps of a batch of vendor rows to out: it
// hashes every row's name keys (domain.AppendNameKeys), looks them all up
// part by part, and scores each row's candidates by the conflict engine's
// own scoring (domain.FindMatch), skipping the pairs whose domains and
// countries rule a match out (domain.CouldMatch).
func (m *matcher) matchBatch(rows []vendorRow, out []overlap) []overlap {
	m.probes.reset()
	for r := range rows {
		m.keys = domain.AppendNameKeys(m.keys[:0], domain.CompanyName{Full: rows[r].full, Core: rows[r].core})
		for _, k := range m.keys {
			m.probes.add(k, int32(r))
		}
	}
	m.labels.reset()
	for r := range rows {
		if rows[r].label != "" {
			m.labels.add(labelKey(rows[r].label), int32(r))
		}
	}
	hits, starts := m.probes.lookup(len(rows))
	byLabel, labelStarts := m.labels.lookup(len(rows))
	for r := range rows {
		out = m.match(&rows[r], byLabel[labelStarts[r]:labelStarts[r+1]], hits[starts[r]:starts[r+1]], out)
	}
	return out
}

// match appends to out the overlaps of v with the partner accounts under
// its domain name (those of sameLabel whose domain name is v's) and with
// its name key candidates.
func (m *matcher) match(v *vendorRow, sameLabel, candidates []int32, out []overlap) []overlap {
	m.stamp++
	vp := domain.Party{Name: domain.CompanyName{Full: v.full, Core: v.core}, Registrable: v.registrable, Country: v.country}
	var screen domain.MatchScreen
	screened, prepared := false, false
	try := func(ps []int32, label bool) {
		for _, i := range ps {
			if m.seen[i] == m.stamp || label && m.idx.parties[i].label != v.label {
				continue
			}
			m.seen[i] = m.stamp
			if !screened {
				screen, screened = domain.NewMatchScreen(&vp), true
			}
			if !m.idx.screens[i].CouldMatch(&screen, domain.DefaultMatchThresholds) {
				continue
			}
			p := &m.idx.parties[i]
			if !prepared {
				vp.PrepareIn(&m.prep)
				prepared = true
			}
			if found, ok := domain.FindMatch(p.party, vp, domain.DefaultMatchThresholds); ok {
				out = append(out, overlap{partner: i, kind: v.kind, category: v.category, vendor: v.id,
					score: found.Score, class: found.Class, explanation: found.Explanation})
			}
		}
	}
	try(sameLabel, true)
	try(candidates, false)
	return out
}
