-- One column changed two ways: a conflict that names the column, each side pointing at its own
-- change.
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int);

-- migrate:down
DROP TABLE t;

-- file: 002_retype_a.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE t ALTER COLUMN a TYPE bigint;

-- migrate:down
ALTER TABLE t ALTER COLUMN a TYPE int;

-- file: 003_a_not_null.sql
-- revision: 003
-- down_revision: 001

-- migrate:up
ALTER TABLE t ALTER COLUMN a SET NOT NULL;

-- migrate:down
ALTER TABLE t ALTER COLUMN a DROP NOT NULL;

-- file: 004_merge.sql
-- revision: 004
-- down_revision: 002, 003

-- migrate:up


-- migrate:down
