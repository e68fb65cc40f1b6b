-- A cycle's lineage table: staged, indexed, attached as a partition of
-- cycle_inputs.
-- Applied by `dealflow migrate` after the versioned migrations whenever this
-- file changes (db/functions.go): CREATE OR REPLACE only, each function once.

-- cycle_inputs_table names the table (staged, then a partition) holding a
-- cycle's inputs.
CREATE OR REPLACE FUNCTION cycle_inputs_table(p_cycle uuid) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'cycle_inputs_' || replace(p_cycle::text, '-', '')
$$;

-- drop_staged drops a freeze's working table if it is there (quietly: no
-- notice when it is not).
CREATE OR REPLACE FUNCTION drop_staged(p_table text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF to_regclass(quote_ident(p_table)) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %I', p_table);
    END IF;
END;
$fn$;

-- cycle_inputs_stage creates the table a cycle's inputs are written to
-- before it is attached (cycle_inputs_attach), dropping what a failed
-- attempt left (the table and its per-partner sums). Its CHECK lets the
-- attach skip scanning the table. It refuses to touch a cycle's inputs
-- once they are attached.
CREATE OR REPLACE FUNCTION cycle_inputs_stage(p_cycle uuid) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    IF EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = t AND c.relispartition) THEN
        RAISE EXCEPTION 'the inputs of cycle % are frozen', p_cycle USING ERRCODE = 'restrict_violation';
    END IF;
    PERFORM drop_staged(t);
    PERFORM drop_staged(t || '_sums');
    -- Written once: autovacuum's vacuum and analyze after the inserts would
    -- re-read a million rows as the cycle goes on, for nothing its queries
    -- use (they find inputs by deal, through the index). Anti-wraparound
    -- vacuums, which run regardless, freeze it in time.
    EXECUTE format('CREATE TABLE %I (LIKE cycle_inputs INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (cycle_id = %L))
                    WITH (autovacuum_enabled = false)', t, p_cycle);
    RETURN t;
END;
$fn$;

-- cycle_inputs_index indexes a staged cycle's inputs by deal, in one sorted
-- build (a deal is one input of a cycle), and what it froze but does not
-- pay by partner (a partial index: a few entries).
CREATE OR REPLACE FUNCTION cycle_inputs_index(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (deal_id)', t || '_deal', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (partner_id, closed_on, deal_id) WHERE excluded IS NOT NULL',
                   t || '_excluded', t);
END;
$fn$;

-- cycle_inputs_attach attaches a staged cycle's inputs, indexed, to
-- cycle_inputs; TRUNCATE of the partition is refused as it is for the
-- ledger.
CREATE OR REPLACE FUNCTION cycle_inputs_attach(p_cycle uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t text := cycle_inputs_table(p_cycle);
BEGIN
    PERFORM cycle_inputs_index(p_cycle);
    EXECUTE format('CREATE TRIGGER no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION reject_truncate()', t);
    EXECUTE format('ALTER TABLE cycle_inputs ATTACH PARTITION %I FOR VALUES IN (%L)', t, p_cycle);
END;
$fn$;
