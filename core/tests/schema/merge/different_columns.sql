-- Branches that change different columns (and constraints) of one table merge.
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int);

-- migrate:down
DROP TABLE t;

-- file: 002_add_b.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE t ADD COLUMN b int;

-- migrate:down
ALTER TABLE t DROP COLUMN b;

-- file: 003_add_c.sql
-- revision: 003
-- down_revision: 001

-- migrate:up
ALTER TABLE t ADD COLUMN c int, ADD CONSTRAINT t_a_key UNIQUE (a);

-- migrate:down
ALTER TABLE t DROP CONSTRAINT t_a_key, DROP COLUMN c;

-- file: 004_merge.sql
-- revision: 004
-- down_revision: 002, 003

-- migrate:up


-- migrate:down
