-- name: PartnerCreate :one
INSERT INTO partners (name, type, tier, program_id)
VALUES (@name, @type, @tier, sqlc.narg(program_id))
RETURNING *;

-- name: PartnerGet :one
SELECT * FROM partners WHERE id = @id;

-- name: PartnersExisting :many
SELECT id FROM partners WHERE id = ANY (@ids::uuid[]);

-- name: PartnersByName :many
-- PartnersByName lists partner organizations by name (the people page's
-- choice of organization for a vendor admin's invitation).
SELECT id, name FROM partners ORDER BY lower(name), id LIMIT 1000;
