package crm

import (
	"context"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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

// loadMapIndex reads every partner account in two ranges of their
// table's blocks at once, one on a connection of its own in snapshot, the
// other on own (the map's transaction, which then runs then), prepares
// each name for scoring and indexes it by its name blocking keys
// (domain.AppendMatchKeys of the stored names, which share a key exactly
// when the domain.NameKeys every writer stores for the re-map do) and its
// domain name.
// rows is about how many there are (the table's statistics), to size
// memory.
func loadMapIndex(ctx context.Context, pool *pgxpool.Pool, snapshot string, own pgx.Tx, blocks int64, rows int,
	then func(context.Context) error) (*mapIndex, error) {
	const loadStreams = 2
	parts := make([][]mapParty, loadStreams)
	pairs := make([]partyKeys, loadStreams)
	screens := make([][]domain.MatchScreen, loadStreams)
	g, gctx := errgroup.WithContext(ctx)
	for i, r := range blockRanges(blocks, loadStreams) {
		g.Go(func() (err error) {
			tx := own
			if i > 0 {
				if tx, err = snapshotTx(gctx, pool, snapshot); err != nil {
					return err
				}
				defer tx.Rollback(gctx)
			}
			// The first range's accounts have room for the others', which
			// are appended to them.
			expect := rows/loadStreams + rows/16
			room := expect
			if i == 0 {
				room = rows + rows/8
			}
			parts[i], pairs[i], err = loadPartnerRange(gctx, tx, r[0], r[1], expect, room)
			if err != nil {
				return fmt.Errorf("partner accounts: %w", err)
			}
			screens[i] = make([]domain.MatchScreen, len(parts[i]), cap(parts[i]))
			for j := range parts[i] {
				screens[i][j] = domain.NewMatchScreen(&parts[i][j].party)
			}
			if i == 0 {
				return then(gctx)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	idx := &mapIndex{parties: parts[0], screens: screens[0]}
	names, labels := []keySegment{{pairs[0].names, 0}}, []keySegment{{pairs[0].labels, 0}}
	for i := 1; i < loadStreams; i++ {
		base := int32(len(idx.parties))
		idx.parties = append(idx.parties, parts[i]...)
		idx.screens = append(idx.screens, screens[i]...)
		names, labels = append(names, keySegment{pairs[i].names, base}), append(labels, keySegment{pairs[i].labels, base})
	}
	workers := max(runtime.GOMAXPROCS(0), 1)
	idx.keys, idx.labels = buildKeyIndex(names, workers), buildKeyIndex(labels, workers)
	return idx, nil
}

// partyKeys are the name keys and domain-name keys of some partner
// accounts.
type partyKeys struct{ names, labels []keyParty }

// loadPartnerRange reads on tx the partner accounts in blocks [from, to)
// of their table (to -1: to its end), prepared, with their keys (party
// indices from 0); expect is about how many rows that is, room how many
// accounts the slice returned has room for.
func loadPartnerRange(ctx context.Context, tx pgx.Tx, from, to int64, expect, room int) ([]mapParty, partyKeys, error) {
	pairs := partyKeys{names: make([]keyParty, 0, 16*expect), labels: make([]keyParty, 0, expect)}
	rows, err := tx.Query(ctx, `SELECT id, partner_id, relation, name_full, name_core, registrable_domain, domain_label, country
	    FROM partner_accounts WHERE `+blockRange(from, to))
	if err != nil {
		return nil, pairs, err
	}
	defer rows.Close()
	var (
		parties = make([]mapParty, 0, room)
		keys    []int64
		arena   domain.PrepareArena
		text    textArena
	)
	// The raw values, without Scan: the ids as their 16 bytes, the text
	// into large blocks.
	for rows.Next() {
		vals := rows.RawValues()
		if len(vals) != 8 || len(vals[0]) != 16 || len(vals[1]) != 16 {
			return nil, pairs, fmt.Errorf("partner account row: %d columns", len(vals))
		}
		parties = append(parties, mapParty{id: uuid.UUID(vals[0]), partner: uuid.UUID(vals[1])})
		p := &parties[len(parties)-1]
		relation, err := mapCode(vals[2])
		if err != nil {
			return nil, pairs, err
		}
		p.relation = mapCodes[relation]
		p.party.Name.Full, p.party.Name.Core, p.party.Registrable = text.string(vals[3]), text.string(vals[4]), text.string(vals[5])
		p.label, p.party.Country = text.string(vals[6]), text.string(vals[7])
		p.party.PrepareWith(&arena)
		i := int32(len(parties) - 1)
		// A name's repeated keys are next to each other (AppendMatchKeys):
		// each key once.
		keys = domain.AppendMatchKeys(keys[:0], p.party.Name)
		for j, k := range keys {
			if j == 0 || k != keys[j-1] {
				pairs.names = append(pairs.names, keyParty{k, i})
			}
		}
		if p.label != "" {
			pairs.labels = append(pairs.labels, keyParty{labelKey(p.label), i})
		}
	}
	return parties, pairs, rows.Err()
}

// textArena holds the partner accounts' text in large blocks, each string
// a part of one: a few allocations for a hundred thousand accounts'
// fields instead of one each. Blocks are never written again where a
// string was made of them.
type textArena struct{ block []byte }

// string returns a copy of b in the arena.
func (a *textArena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, max(1<<16, len(b)))
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[start], len(b))
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
// hashes every row's name keys (domain.AppendMatchKeys), looks them all up
// part by part, and scores each row's candidates by the conflict engine's
// own scoring (domain.FindMatchScreened: FindMatch with the domains' relation
// read from the screens), skipping the pairs whose domains and countries
// rule a match out (domain.MatchScreen.CouldMatch).
func (m *matcher) matchBatch(b *vendorBatch, out []overlap) []overlap {
	rows := b.rows
	m.probes.reset()
	m.labels.reset()
	for r := range rows {
		v := b.fields(&rows[r])
		m.keys = domain.AppendMatchKeys(m.keys[:0], domain.CompanyName{Full: v.full, Core: v.core})
		for _, k := range m.keys {
			m.probes.add(k, int32(r))
		}
		if v.label != "" {
			m.labels.add(labelKey(v.label), int32(r))
		}
	}
	hits, starts := m.probes.lookup(len(rows))
	byLabel, labelStarts := m.labels.lookup(len(rows))
	for r := range rows {
		out = m.match(&rows[r], b.fields(&rows[r]), byLabel[labelStarts[r]:labelStarts[r+1]], hits[starts[r]:starts[r+1]], out)
	}
	return out
}

// match appends to out the overlaps of vendor row v (its fields f) with
// the partner accounts under its domain name (those of sameLabel whose
// domain name is v's) and with its name key candidates. Nothing it
// appends holds f's strings: the batch's text is reused.
func (m *matcher) match(v *vendorRow, f vendorFields, sameLabel, candidates []int32, out []overlap) []overlap {
	m.stamp++
	vp := domain.Party{Name: domain.CompanyName{Full: f.full, Core: f.core}, Registrable: f.registrable, Country: f.country}
	var screen domain.MatchScreen
	screened, prepared := false, false
	try := func(ps []int32, label bool) {
		for _, i := range ps {
			if m.seen[i] == m.stamp || label && m.idx.parties[i].label != f.label {
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
			if found, ok := domain.FindMatchScreened(&p.party, &vp, &m.idx.screens[i], &screen, domain.DefaultMatchThresholds); ok {
				out = append(out, overlap{partner: i, kind: mapCodes[v.kind], category: mapCodes[v.category], vendor: v.id,
					score: found.Score, class: found.Class, explanation: found.Explanation})
			}
		}
	}
	try(sameLabel, true)
	try(candidates, false)
	return out
}
