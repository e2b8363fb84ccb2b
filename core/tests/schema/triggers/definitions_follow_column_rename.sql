-- A trigger's definition is kept; CREATE OR REPLACE TRIGGER replaces it, a renamed column
-- follows into its UPDATE OF, and one its WHEN condition names makes the definition unknown.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int, b int);
CREATE FUNCTION tf() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER upd BEFORE UPDATE OF b, a ON t FOR EACH ROW EXECUTE PROCEDURE tf('x', 1);
CREATE TRIGGER ins AFTER INSERT ON t FOR EACH ROW WHEN (NEW.b > 0) EXECUTE FUNCTION tf();
CREATE OR REPLACE TRIGGER ins AFTER INSERT OR DELETE ON t FOR EACH ROW WHEN (NEW.a > 0) EXECUTE FUNCTION tf();
ALTER TABLE t RENAME COLUMN b TO c;
ALTER TABLE t RENAME COLUMN a TO d;
