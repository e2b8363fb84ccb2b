-- A revision whose parent is missing is not replayed on an empty schema (no "table `t` does not
-- exist"): the graph error says what is wrong, and nothing is known after it.
-- file: 001_create_u.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE u (a int);

-- migrate:down
DROP TABLE u;

-- file: 002_alter_t.sql
-- revision: 002
-- down_revision: 009

-- migrate:up
ALTER TABLE t ADD COLUMN b int;

-- migrate:down
ALTER TABLE t DROP COLUMN b;
