-- Triggers follow renames of themselves and of their function, and DROP FUNCTION … CASCADE drops
-- them.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int);
CREATE FUNCTION tf() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf();
ALTER FUNCTION tf() RENAME TO tg;
ALTER TRIGGER tr ON t RENAME TO tr2;
DROP TRIGGER tr2 ON t;
CREATE TRIGGER tr3 BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tg();
DROP FUNCTION tg() CASCADE;
DROP TRIGGER tr3 ON t;
