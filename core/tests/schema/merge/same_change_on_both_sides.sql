-- Both branches making the same change merge cleanly.
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

-- file: 003_add_b_too.sql
-- revision: 003
-- down_revision: 001

-- migrate:up
ALTER TABLE t ADD COLUMN b int;

-- migrate:down
ALTER TABLE t DROP COLUMN b;

-- file: 004_merge.sql
-- revision: 004
-- down_revision: 002, 003

-- migrate:up
ALTER TABLE t DROP COLUMN b;

-- migrate:down
ALTER TABLE t ADD COLUMN b int;
