-- A foreign key needs a table that exists, columns that exist, a unique constraint on them, or a
-- primary key when no columns are named.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE a (id int PRIMARY KEY, code text, other text UNIQUE);
CREATE TABLE n (x int);
CREATE TABLE b (a_id int REFERENCES missing);
CREATE TABLE c (a_code text REFERENCES a (code));
CREATE TABLE d (a_x text REFERENCES a (nope));
CREATE TABLE e (x int REFERENCES n);
CREATE TABLE f (a_id int REFERENCES a, o text REFERENCES a (other));
