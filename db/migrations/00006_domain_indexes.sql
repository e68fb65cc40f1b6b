-- The conflict query runs on a cached generic plan, which cannot prove a
-- partial index's "<> ''" predicate from a parameter; index every row.

-- +goose Up
DROP INDEX accounts_registrable_domain;
DROP INDEX accounts_domain_label;
DROP INDEX opportunities_open_registrable_domain;
DROP INDEX opportunities_open_domain_label;
CREATE INDEX accounts_registrable_domain ON accounts (registrable_domain);
CREATE INDEX accounts_domain_label ON accounts (domain_label);
CREATE INDEX opportunities_open_registrable_domain ON opportunities (registrable_domain) WHERE status = 'open';
CREATE INDEX opportunities_open_domain_label ON opportunities (domain_label) WHERE status = 'open';

-- +goose Down
DROP INDEX opportunities_open_domain_label;
DROP INDEX opportunities_open_registrable_domain;
DROP INDEX accounts_domain_label;
DROP INDEX accounts_registrable_domain;
CREATE INDEX accounts_registrable_domain ON accounts (registrable_domain) WHERE registrable_domain <> '';
CREATE INDEX accounts_domain_label ON accounts (domain_label) WHERE domain_label <> '';
CREATE INDEX opportunities_open_registrable_domain ON opportunities (registrable_domain)
    WHERE status = 'open' AND registrable_domain <> '';
CREATE INDEX opportunities_open_domain_label ON opportunities (domain_label) WHERE status = 'open' AND domain_label <> '';
