-- A DO block that calls a function whose body runs DDL: after it nothing is known.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE FUNCTION mk() RETURNS void AS $$ BEGIN EXECUTE 'CREATE TABLE x (a int)'; END $$ LANGUAGE plpgsql;
DO $$ BEGIN PERFORM mk(); END $$;
