-- Dropping the NOT NULL constraint PostgreSQL named is no error.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int NOT NULL); ALTER TABLE t DROP CONSTRAINT t_a_not_null;
