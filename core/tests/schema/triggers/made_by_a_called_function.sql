-- A function whose body creates triggers, called: the trigger names are unknown, so dropping one
-- is no error.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int);
CREATE FUNCTION mk(x regclass) RETURNS void AS $$ BEGIN EXECUTE format('CREATE TRIGGER tr BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION f()', x); END $$ LANGUAGE plpgsql;
SELECT mk('t');
DROP TRIGGER tr ON t;
