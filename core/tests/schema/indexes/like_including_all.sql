-- `LIKE … INCLUDING ALL` copies indexes under names PostgreSQL makes: they are not judged.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int PRIMARY KEY, b int);
CREATE INDEX ON t (b);
CREATE TABLE t2 (LIKE t INCLUDING ALL);
DROP INDEX t2_b_idx;
