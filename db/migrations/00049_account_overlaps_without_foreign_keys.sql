-- account_overlaps is derived data, written only by the account map (the
-- re-map triggers and crm.MapAll), each from the partner accounts it has
-- just read: its foreign keys checked again what the writer had read, two
-- lookups and a row lock per overlap, about 0.7 s of a full map's 62,000
-- rows. The cascade from partner_accounts is the statement trigger
-- partner_accounts_forget (db/functions/60_mapping.sql); partner_id is
-- the partner account's, which references partners.

-- +goose Up
ALTER TABLE account_overlaps
    DROP CONSTRAINT account_overlaps_partner_account_id_fkey,
    DROP CONSTRAINT account_overlaps_partner_id_fkey;

-- +goose Down
DROP TRIGGER IF EXISTS partner_accounts_forget ON partner_accounts;
DELETE FROM account_overlaps o WHERE NOT EXISTS (SELECT 1 FROM partner_accounts p WHERE p.id = o.partner_account_id);
ALTER TABLE account_overlaps
    ADD CONSTRAINT account_overlaps_partner_account_id_fkey FOREIGN KEY (partner_account_id) REFERENCES partner_accounts (id) ON DELETE CASCADE,
    ADD CONSTRAINT account_overlaps_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES partners (id);
