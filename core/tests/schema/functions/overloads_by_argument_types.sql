-- Functions are told apart by their argument types (`integer` and `int4` are one type): dropping
-- `f(int4)` after `f(integer)` is an error.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE FUNCTION f(a int) RETURNS int AS 'select 1' LANGUAGE sql;
CREATE FUNCTION f(text) RETURNS int AS 'select 1' LANGUAGE sql;
DROP FUNCTION f(integer);
DROP FUNCTION f(text);
DROP FUNCTION f(int4);
