-- An overload the model cannot match leaves the name unknown: no error either way.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE FUNCTION f(int) RETURNS int AS 'select 1' LANGUAGE sql;
CREATE FUNCTION f(text) RETURNS int AS 'select 1' LANGUAGE sql;
DROP FUNCTION f(varchar); DROP FUNCTION f(int); DROP FUNCTION f;
