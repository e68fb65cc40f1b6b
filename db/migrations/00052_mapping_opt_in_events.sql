-- +goose Up
-- mapping_opt_in_events is the history of a partner's account-mapping
-- consent, append-only: every category opted into and every one
-- withdrawn, with who and when. mapping_opt_ins holds only what is shared
-- now; a withdrawal deletes its row there, and is kept here.
CREATE TABLE mapping_opt_in_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id       uuid NOT NULL REFERENCES partners (id),
    partner_relation text NOT NULL CHECK (partner_relation IN ('customer', 'prospect')),
    vendor_category  text NOT NULL CHECK (vendor_category IN ('customer', 'prospect', 'opportunity')),
    action           text NOT NULL CHECK (action IN ('opted_in', 'withdrawn')),
    actor_id         uuid NOT NULL REFERENCES users (id),
    occurred_at      timestamptz NOT NULL
);
CREATE INDEX mapping_opt_in_events_partner ON mapping_opt_in_events (partner_id, occurred_at, id);
CREATE TRIGGER mapping_opt_in_events_append_only BEFORE UPDATE OR DELETE ON mapping_opt_in_events
    FOR EACH ROW EXECUTE FUNCTION reject_change();

-- The categories shared before this history began are its first events.
INSERT INTO mapping_opt_in_events (partner_id, partner_relation, vendor_category, action, actor_id, occurred_at)
SELECT partner_id, partner_relation, vendor_category, 'opted_in', opted_in_by, opted_in_at
FROM mapping_opt_ins
ORDER BY opted_in_at, partner_id, partner_relation, vendor_category;

-- +goose Down
DROP TABLE mapping_opt_in_events;
