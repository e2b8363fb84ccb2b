-- DROP TABLE … CASCADE after renames takes the indexes, the serial sequence, the sequence it
-- owns and the foreign key to it; the view on it may be gone, so it is unknown.
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
DROP TABLE a2 CASCADE;
