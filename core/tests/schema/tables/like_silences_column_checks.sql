-- `LIKE` leaves the columns of `u` unknown: dropping one of them is no error, but dropping a
-- missing column of `t` is.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int); CREATE TABLE u (LIKE t);
ALTER TABLE u DROP COLUMN a;
ALTER TABLE t DROP COLUMN zz;
