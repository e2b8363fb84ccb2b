-- What a down section creates IF NOT EXISTS may have been there before its up: no error.
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int);

-- migrate:down
DROP TABLE t;

-- file: 002_drop_legacy.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
DROP TABLE IF EXISTS legacy;

-- migrate:down
CREATE TABLE IF NOT EXISTS legacy (id serial PRIMARY KEY, v int8 UNIQUE);
