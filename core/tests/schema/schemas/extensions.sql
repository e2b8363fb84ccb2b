-- Extensions: created once (IF NOT EXISTS again is no error, without it is), dropped (dropping
-- one that is gone is an error, IF EXISTS is not).
-- file: 001_extensions.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE EXTENSION pg_trgm;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION pg_trgm;
CREATE EXTENSION citext;
DROP EXTENSION citext;
DROP EXTENSION citext;
DROP EXTENSION IF EXISTS citext;
