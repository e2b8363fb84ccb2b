-- A rename of the table a view reads makes its query stale.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;
ALTER TABLE t RENAME TO t2;
