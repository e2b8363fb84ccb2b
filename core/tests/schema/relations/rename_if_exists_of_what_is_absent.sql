-- `ALTER INDEX IF EXISTS … RENAME` of an index the model knows is absent does nothing: the new
-- name stays known (and absent), so the `CREATE INDEX IF NOT EXISTS` after it is known too
-- (the crates.io history renames indexes made by hand on its production database this way).
-- file: 001_create.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int);
CREATE MATERIALIZED VIEW m AS SELECT a FROM t;

-- migrate:down
DROP MATERIALIZED VIEW m;
DROP TABLE t;

-- file: 002_indexes_made_by_hand.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER INDEX IF EXISTS made_by_hand RENAME TO m_by_a;
CREATE INDEX IF NOT EXISTS m_by_a ON m USING btree (a);

-- migrate:down
DROP INDEX IF EXISTS m_by_a;
