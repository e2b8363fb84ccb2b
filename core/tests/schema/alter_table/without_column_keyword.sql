-- ADD, RENAME, ALTER and DROP without the COLUMN keyword.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int);
ALTER TABLE t ADD b int;
ALTER TABLE t RENAME b TO c;
ALTER TABLE t ALTER c TYPE bigint;
ALTER TABLE t DROP a;
