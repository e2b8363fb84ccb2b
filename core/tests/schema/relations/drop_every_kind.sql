-- Dropping every kind of object (trigger, index, type, sequence, view, extension, function,
-- table) leaves an empty schema.
-- file: 001_create.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (id int PRIMARY KEY); CREATE INDEX i ON t (id); CREATE TYPE e AS ENUM ('a'); CREATE SEQUENCE s; CREATE VIEW v AS SELECT 1; CREATE EXTENSION x; CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql; CREATE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION f();

-- file: 002_drop.sql
-- revision: 002
-- down_revision: 001
-- irreversible: test

-- migrate:up
DROP TRIGGER tr ON t; DROP INDEX i; DROP TYPE e; DROP SEQUENCE s; DROP VIEW v; DROP EXTENSION x; DROP FUNCTION f(); DROP TABLE t;
