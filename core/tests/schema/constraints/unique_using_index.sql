-- A unique constraint made from an index keeps its columns: a foreign key may use them.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int, b int);
CREATE UNIQUE INDEX t_ab ON t (a, b);
ALTER TABLE t ADD CONSTRAINT t_ab_key UNIQUE USING INDEX t_ab;
CREATE TABLE u (a int, b int, FOREIGN KEY (a, b) REFERENCES t (a, b));
