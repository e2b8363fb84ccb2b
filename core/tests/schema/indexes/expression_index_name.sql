-- An index without a name gets the one PostgreSQL gives it, from its expression.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (name text, b int); CREATE UNIQUE INDEX ON t (lower(name));
