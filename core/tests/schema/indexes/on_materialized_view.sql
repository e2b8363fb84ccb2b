-- Indexes on a materialized view go with it.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS id;
CREATE UNIQUE INDEX mi ON mv (id);
DROP MATERIALIZED VIEW mv;
DROP INDEX mi;
