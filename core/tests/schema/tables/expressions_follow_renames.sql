-- Defaults, generated columns, checks, foreign key actions and index expressions are kept as
-- written and follow column renames; a string and a type named like a column stay; a default
-- naming a renamed sequence is no longer kept.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE SEQUENCE s;
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE t (
id serial PRIMARY KEY,
n int DEFAULT nextval('s'),
a int CHECK (a > 0),
b int GENERATED ALWAYS AS (a * 2) STORED,
"text" text DEFAULT ''::text,
p_id int REFERENCES p ON DELETE CASCADE,
CONSTRAINT t_a_b CHECK (a < 'a'::text::int + b)
);
CREATE INDEX t_lower ON t USING btree (lower("text")) WHERE a > 1;
ALTER TABLE t RENAME COLUMN a TO aa;
ALTER TABLE t RENAME COLUMN "text" TO Body;
ALTER SEQUENCE s RENAME TO s2;
