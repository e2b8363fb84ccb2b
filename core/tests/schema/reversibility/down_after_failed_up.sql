-- The up section fails on `name`: its down section is not judged (it would only echo that the
-- index is missing).
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int);

-- migrate:down
DROP TABLE t;

-- file: 002_index_name.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE INDEX t_name ON t (name);

-- migrate:down
DROP INDEX t_name;
