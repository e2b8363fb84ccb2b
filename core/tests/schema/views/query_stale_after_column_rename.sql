-- A view keeps its query as written until a rename of a column it mentions makes it stale; a
-- column list, WITH CHECK OPTION and WITH NO DATA are kept.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int, b int);
CREATE TABLE u (c int);
CREATE VIEW v AS SELECT a FROM t;
CREATE VIEW w (x) AS SELECT c FROM u WITH CHECK OPTION;
CREATE MATERIALIZED VIEW m AS SELECT b FROM t WITH NO DATA;
ALTER TABLE t RENAME COLUMN a TO aa;
