-- +goose Up
-- Lead distribution, the managers' steps and notifications (docs/lead.md):
-- a lead may be closed or converted from the vendor's queue; an offer a
-- manager takes back (re-offer, assign, close) is withdrawn; lead events
-- notify the partner's people through the notifications outbox, which
-- names the lead, and the in-console feed shows a partner's people the
-- notifications of leads addressed to their organization.
ALTER TABLE leads DROP CONSTRAINT leads_status_check;
ALTER TABLE leads ADD CONSTRAINT leads_status_check
    CHECK (status IN ('new', 'offered', 'accepted', 'working', 'queued', 'closed', 'converted'));
ALTER TABLE lead_offers DROP CONSTRAINT lead_offers_outcome_check;
ALTER TABLE lead_offers ADD CONSTRAINT lead_offers_outcome_check
    CHECK (outcome IN ('open', 'accepted', 'declined', 'timed_out', 'lost', 'pulled_back', 'withdrawn'));

ALTER TABLE notifications ADD COLUMN lead_id uuid REFERENCES leads (id);
CREATE INDEX notifications_lead ON notifications (lead_id) WHERE lead_id IS NOT NULL;

CREATE OR REPLACE VIEW notification_feed AS
SELECT u.id AS user_id, n.id AS notification_id, n.deal_id, n.kind, n.subject, n.created_at,
       coalesce(d.customer_name, l.company_name, '')::text AS customer_name
FROM users u
LEFT JOIN people p ON p.id = u.person_id
JOIN notifications n ON n.audience IN (CASE WHEN u.partner_id IS NULL THEN 'role:' || u.role END,
                                       'partner:' || u.partner_id::text, 'email:' || p.email)
LEFT JOIN deals d ON d.id = n.deal_id
LEFT JOIN leads l ON l.id = n.lead_id
WHERE n.kind <> 'invitation'
  AND (u.partner_id IS NULL OR d.partner_id = u.partner_id
       OR (n.deal_id IS NULL AND n.lead_id IS NOT NULL AND n.audience = 'partner:' || u.partner_id::text));

-- +goose Down
CREATE OR REPLACE VIEW notification_feed AS
SELECT u.id AS user_id, n.id AS notification_id, n.deal_id, n.kind, n.subject, n.created_at,
       coalesce(d.customer_name, '')::text AS customer_name
FROM users u
LEFT JOIN people p ON p.id = u.person_id
JOIN notifications n ON n.audience IN (CASE WHEN u.partner_id IS NULL THEN 'role:' || u.role END,
                                       'partner:' || u.partner_id::text, 'email:' || p.email)
LEFT JOIN deals d ON d.id = n.deal_id
WHERE n.kind <> 'invitation' AND (u.partner_id IS NULL OR d.partner_id = u.partner_id);
DROP INDEX notifications_lead;
ALTER TABLE notifications DROP COLUMN lead_id;
ALTER TABLE lead_offers DROP CONSTRAINT lead_offers_outcome_check;
ALTER TABLE lead_offers ADD CONSTRAINT lead_offers_outcome_check
    CHECK (outcome IN ('open', 'accepted', 'declined', 'timed_out', 'lost', 'pulled_back'));
ALTER TABLE leads DROP CONSTRAINT leads_status_check;
ALTER TABLE leads ADD CONSTRAINT leads_status_check
    CHECK (status IN ('new', 'offered', 'accepted', 'working', 'queued'));
