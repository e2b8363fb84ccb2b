-- A statement that does not parse (marked unchecked) makes everything after it unknown: dropping
-- a missing table is no error.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int);
-- retort:unchecked new syntax
CREATE FANCY THING;
DROP TABLE nope;
