-- A sequence in a schema, owned by a column, keeps its owner through its own rename.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE SCHEMA app;
CREATE TABLE app.x (id int);
CREATE SEQUENCE app.s OWNED BY app.x.id;
ALTER SEQUENCE app.s RENAME TO s2;
