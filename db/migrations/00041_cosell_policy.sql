-- A program's co-sell policy (docs/cosell.md, domain.CoSellPolicy): how
-- many business days a seller has to answer a request, when they are
-- reminded, how early milestone owners are reminded, and the holidays
-- business-day arithmetic skips. Every change is a new version, kept with
-- who set it, when and why; the latest version of the deal's program (the
-- default program when the deal names none) is what a new engagement
-- starts with, and the engagement keeps it.

-- +goose Up
CREATE TABLE cosell_policies (
    program_id  uuid NOT NULL REFERENCES programs (id),
    version     integer NOT NULL CHECK (version > 0),
    policy      jsonb NOT NULL,
    set_by      text NOT NULL,
    set_by_name text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, version)
);
CREATE TRIGGER cosell_policies_append_only BEFORE UPDATE OR DELETE ON cosell_policies
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE cosell_policies;
