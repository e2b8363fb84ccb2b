-- A table renamed keeps its serial sequence, its primary key, its index (renamed too), the
-- sequence it owns, the foreign key to it and the view on it.
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
