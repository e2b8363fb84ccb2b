-- Two branches add the same column with different types: the merge is a conflict.
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int);

-- migrate:down
DROP TABLE t;

-- file: 002_add_b_int.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE t ADD COLUMN b int;

-- migrate:down
ALTER TABLE t DROP COLUMN b;

-- file: 003_add_b_text.sql
-- revision: 003
-- down_revision: 001

-- migrate:up
ALTER TABLE t ADD COLUMN b text;

-- migrate:down
ALTER TABLE t DROP COLUMN b;

-- file: 004_merge.sql
-- revision: 004
-- down_revision: 002, 003

-- migrate:up


-- migrate:down
