-- Extensions, enum types (values added before and after), indexes (a generated name and a
-- rename), sequences, views, functions, triggers and schemas are all recorded, and everything is
-- known.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TYPE mood ADD VALUE 'happy';
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
CREATE TABLE t (id int PRIMARY KEY, m mood);
CREATE INDEX ON t (m);
CREATE UNIQUE INDEX t_idx ON t (id, m);
ALTER INDEX t_idx RENAME TO t_idx2;
CREATE SEQUENCE s;
CREATE VIEW v AS SELECT * FROM t;
CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();
CREATE SCHEMA app;
CREATE TABLE app.x (id int);
