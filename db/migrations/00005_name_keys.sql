-- Candidate matches are found by blocking keys (domain.NameKeys: the name
-- without spaces, and the core name with its one-letter deletions) in GIN
-- array indexes: a handful of tiny posting lists per check instead of the
-- long trigram lists common words produce. The trigram indexes go.

-- +goose Up
ALTER TABLE deals ADD COLUMN customer_name_keys bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE accounts ADD COLUMN name_keys bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE opportunities ADD COLUMN name_keys bigint[] NOT NULL DEFAULT '{}';

CREATE INDEX deals_open_name_keys ON deals USING gin (customer_name_keys) WITH (fastupdate = off)
    WHERE status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved');
CREATE INDEX accounts_name_keys ON accounts USING gin (name_keys) WITH (fastupdate = off);
CREATE INDEX opportunities_open_name_keys ON opportunities USING gin (name_keys) WITH (fastupdate = off)
    WHERE status = 'open';

DROP INDEX deals_open_name_trgm;
DROP INDEX accounts_name_trgm;
DROP INDEX opportunities_open_name_trgm;

-- +goose Down
CREATE INDEX deals_open_name_trgm ON deals USING gin (customer_name_full gin_trgm_ops) WITH (fastupdate = off)
    WHERE status IN ('screening', 'conflict_review', 'pending_approval', 'info_requested', 'approved');
CREATE INDEX accounts_name_trgm ON accounts USING gin (name_full gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX opportunities_open_name_trgm ON opportunities USING gin (name_full gin_trgm_ops) WITH (fastupdate = off)
    WHERE status = 'open';
DROP INDEX opportunities_open_name_keys;
DROP INDEX accounts_name_keys;
DROP INDEX deals_open_name_keys;
ALTER TABLE opportunities DROP COLUMN name_keys;
ALTER TABLE accounts DROP COLUMN name_keys;
ALTER TABLE deals DROP COLUMN customer_name_keys;
