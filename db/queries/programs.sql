-- name: ProgramCreate :one
INSERT INTO programs (name, policy) VALUES (@name, @policy) RETURNING *;

-- name: ProgramUpdate :one
UPDATE programs SET name = @name, policy = @policy, updated_at = now() WHERE id = @id RETURNING *;

-- name: ProgramGet :one
SELECT * FROM programs WHERE id = @id;

-- name: ProgramList :many
SELECT * FROM programs ORDER BY is_default DESC, name;

-- name: PartnerProgram :one
-- PartnerProgram returns a partner with the program it belongs to (the
-- default program when none is set): what screening applies.
SELECT p.id, p.type, p.tier, pr.id AS program_id, pr.policy
FROM partners p
JOIN programs pr ON pr.id = coalesce(p.program_id, (SELECT d.id FROM programs d WHERE d.is_default))
WHERE p.id = @id;
