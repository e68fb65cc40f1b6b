-- name: PartnerCreate :one
INSERT INTO partners (name, type, tier)
VALUES (@name, @type, @tier)
RETURNING *;

-- name: PartnerGet :one
SELECT * FROM partners WHERE id = @id;
