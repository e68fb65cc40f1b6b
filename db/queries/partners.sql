-- name: PartnerCreate :one
INSERT INTO partners (name, type, tier, program_id)
VALUES (@name, @type, @tier, sqlc.narg(program_id))
RETURNING *;

-- name: PartnerGet :one
SELECT * FROM partners WHERE id = @id;

-- name: PartnersExisting :many
SELECT id FROM partners WHERE id = ANY (@ids::uuid[]);
