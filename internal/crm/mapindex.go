package crm

import (
	"context"

	"github.com/dealflow/dealflow/domain"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// mapParty is one partner account as MapAll holds it in memory.
type mapParty struct {
	id, partner uuid.UUID
	relation    string
	party       domain.Party
}

// keyFilterBits sizes mapIndex's bit filter: 2²⁵ bits (4 MiB) hold a
// hundred thousand accounts' keys at a few percent of false hits.
const keyFilterBits = 1 << 25

// mapIndex finds a vendor record's candidates among the partner accounts:
// those sharing a name blocking key (domain.NameKeys) or the domain name
// (domain_label, which free mail does not have). Most of a vendor name's
// keys are no partner account's: a bit filter answers those without the
// map's memory traffic.
type mapIndex struct {
	parties []mapParty
	filter  []uint64
	byKey   map[int64]int32 // the one party with the key, or -(i+1) for shared[i]
	shared  [][]int32       // the parties of keys that several have
	byLabel map[string][]int32
}

// addKey indexes party i under key k.
func (idx *mapIndex) addKey(k int64, i int32) {
	w, b := keyBit(k)
	idx.filter[w] |= b
	v, ok := idx.byKey[k]
	switch {
	case !ok:
		idx.byKey[k] = i
	case v >= 0:
		idx.byKey[k] = -int32(len(idx.shared)) - 1
		idx.shared = append(idx.shared, []int32{v, i})
	default:
		idx.shared[-v-1] = append(idx.shared[-v-1], i)
	}
}

// withKey returns the parties with key k; one is returned in *one.
func (idx *mapIndex) withKey(k int64, one *[1]int32) []int32 {
	if w, b := keyBit(k); idx.filter[w]&b == 0 {
		return nil
	}
	v, ok := idx.byKey[k]
	switch {
	case !ok:
		return nil
	case v >= 0:
		one[0] = v
		return one[:]
	default:
		return idx.shared[-v-1]
	}
}

func keyBit(k int64) (word int, bit uint64) {
	h := uint64(k) & (keyFilterBits - 1)
	return int(h >> 6), 1 << (h & 63)
}

// loadMapIndex reads every partner account and indexes it by its blocking
// keys (as stored: every writer stores domain.NameKeys of the stored
// names) and domain name.
func loadMapIndex(ctx context.Context, tx pgx.Tx) (*mapIndex, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM partner_accounts`).Scan(&n); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id, partner_id, relation, name_full, name_core, name_keys, registrable_domain, domain_label, country
	    FROM partner_accounts`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	idx := &mapIndex{parties: make([]mapParty, 0, n), filter: make([]uint64, keyFilterBits/64),
		byKey: make(map[int64]int32, 16*n), byLabel: make(map[string][]int32, n)}
	var (
		p     mapParty
		keys  []int64
		label string
	)
	for rows.Next() {
		if err := rows.Scan(&p.id, &p.partner, &p.relation, &p.party.Name.Full, &p.party.Name.Core, &keys, &p.party.Registrable, &label, &p.party.Country); err != nil {
			return nil, err
		}
		i := int32(len(idx.parties))
		p.party.Prepare()
		idx.parties = append(idx.parties, p)
		for _, k := range keys {
			idx.addKey(k, i)
		}
		if label != "" {
			idx.byLabel[label] = append(idx.byLabel[label], i)
		}
	}
	return idx, rows.Err()
}

// matcher is one worker's state: the stamp of the vendor row that last saw
// each partner account (so that none is scored twice for one row) and a
// buffer for a name's keys.
type matcher struct {
	idx   *mapIndex
	seen  []uint32
	stamp uint32
	keys  []int64
}

func (idx *mapIndex) matcher() *matcher {
	return &matcher{idx: idx, seen: make([]uint32, len(idx.parties)), keys: make([]int64, 0, 64)}
}

// match appends v's overlaps to out.
func (m *matcher) match(v *vendorRow, out []overlap) []overlap {
	m.stamp++
	var vp domain.Party
	prepared := false
	try := func(ps []int32) {
		for _, i := range ps {
			if m.seen[i] == m.stamp {
				continue
			}
			m.seen[i] = m.stamp
			if !prepared {
				vp = domain.Party{Name: domain.CompanyName{Full: v.full, Core: v.core}, Registrable: v.registrable, Country: v.country}
				vp.Prepare()
				prepared = true
			}
			if found, ok := domain.FindMatch(m.idx.parties[i].party, vp, domain.DefaultMatchThresholds); ok {
				out = append(out, overlap{partner: i, kind: v.kind, category: v.category, vendor: v.id,
					score: found.Score, class: found.Class, explanation: found.Explanation})
			}
		}
	}
	if v.label != "" {
		try(m.idx.byLabel[v.label])
	}
	m.keys = domain.AppendNameKeys(m.keys[:0], domain.CompanyName{Full: v.full, Core: v.core})
	var one [1]int32
	for _, k := range m.keys {
		try(m.idx.withKey(k, &one))
	}
	return out
}
