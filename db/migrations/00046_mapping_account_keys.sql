-- Account mapping at scale (docs/cosell.md, "Account mapping"): the vendor
-- accounts' name blocking keys, one row a key, kept by the accounts' re-map
-- triggers (db/functions/60_mapping.sql). The full map joins the partner
-- accounts' keys to this index instead of unnesting a million arrays, and a
-- re-map looks a changed partner account's keys up in it (a B-tree probe a
-- key, where the GIN index on accounts.name_keys costs milliseconds).

-- +goose Up
CREATE TABLE mapping_account_keys (
    k          bigint NOT NULL,
    account_id uuid NOT NULL, -- accounts.id; the triggers remove the keys of a deleted account by its old keys
    PRIMARY KEY (k, account_id)
);
INSERT INTO mapping_account_keys (k, account_id)
SELECT DISTINCT k, id FROM accounts, unnest(name_keys) k;

-- The key lookups of the account-mapping SQL (levenshtein as a cheap
-- pre-filter of the typo rescue).
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- +goose Down
DROP TABLE mapping_account_keys;
