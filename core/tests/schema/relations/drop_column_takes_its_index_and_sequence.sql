-- Dropping a column drops the index on it and the sequence it owns, not the others.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE a (id serial PRIMARY KEY, n int);
CREATE INDEX a_n ON a (n);
CREATE SEQUENCE s OWNED BY a.n;
CREATE TABLE b (a_id int REFERENCES a (id));
ALTER TABLE a RENAME TO a2;
ALTER INDEX a_n RENAME TO a_n2;
CREATE VIEW v AS SELECT id FROM a2;
ALTER TABLE a2 DROP COLUMN n;
