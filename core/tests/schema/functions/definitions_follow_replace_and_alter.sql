-- A function's definition follows CREATE OR REPLACE, ALTER FUNCTION's attributes and rename;
-- overloads are kept apart, and one dropped takes its definition with it.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE FUNCTION add1(a int) RETURNS int LANGUAGE sql AS $$ SELECT a + 1 $$;
CREATE FUNCTION add1(a bigint, b bigint DEFAULT 1) RETURNS bigint LANGUAGE sql AS 'SELECT a + b';
CREATE OR REPLACE FUNCTION add1(a int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + 2 $$;
ALTER FUNCTION add1(integer) STABLE STRICT SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION add1(int8, int8) COST 5 PARALLEL SAFE;
CREATE FUNCTION gone() RETURNS SETOF int LANGUAGE sql RETURN 1;
ALTER FUNCTION gone() RENAME TO kept;
CREATE PROCEDURE p(INOUT n int) LANGUAGE plpgsql AS $$ BEGIN n := n + 1; END $$;
DROP FUNCTION add1(bigint, bigint);
