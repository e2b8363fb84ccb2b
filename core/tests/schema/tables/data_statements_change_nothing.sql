-- INSERT, UPDATE and SELECT change no schema: everything stays known.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int); INSERT INTO t VALUES (1); UPDATE t SET a = 2; SELECT 1;
