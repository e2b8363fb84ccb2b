-- CREATE TABLE … (LIKE t): the new table's columns are unknown, those of `t` stay known.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int); CREATE TABLE u (LIKE t);
