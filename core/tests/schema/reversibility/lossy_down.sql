-- A down section said lossy in its header (`lossy_down`) is not compared (one down skipped); the
-- next one is.
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int, b int);

-- migrate:down
DROP TABLE t;

-- file: 002_drop_b.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the column's data is gone; it comes back with zeros

-- migrate:up
ALTER TABLE t DROP COLUMN b;

-- migrate:down
ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0;

-- file: 003_drop_a.sql
-- revision: 003
-- down_revision: 002

-- migrate:up
ALTER TABLE t DROP COLUMN a;

-- migrate:down
