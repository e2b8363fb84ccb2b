-- A DO block that runs DDL: after it nothing is known.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int); DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;
