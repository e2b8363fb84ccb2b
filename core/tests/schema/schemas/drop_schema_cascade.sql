-- Dropping a schema drops what is in it; a table in a schema that does not exist is an error.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE SCHEMA app;
CREATE TABLE app.x (id int);
DROP SCHEMA app CASCADE;
DROP TABLE app.x;
CREATE TABLE nope.y (id int);
