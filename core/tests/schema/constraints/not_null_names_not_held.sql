-- The names of NOT NULL constraints are not held: renaming or dropping one is never an error,
-- and dropping it makes the column nullable.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int NOT NULL);
ALTER TABLE t RENAME CONSTRAINT t_a_not_null TO a_nn;
ALTER TABLE t DROP CONSTRAINT t_a_not_null1;
ALTER TABLE t DROP CONSTRAINT t_a_not_null;
