-- A down section that does not give a sequence its options back, or a column its collation,
-- does not restore the schema; one that does (s2, b) is clean.
-- file: 001_create.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE SEQUENCE s;
CREATE SEQUENCE s2;
CREATE TABLE t (a text, b text);

-- migrate:down
DROP TABLE t;
DROP SEQUENCE s2;
DROP SEQUENCE s;

-- file: 002_change.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER SEQUENCE s INCREMENT BY 5 CACHE 10;
ALTER SEQUENCE s2 INCREMENT BY 5;
ALTER TABLE t ALTER COLUMN a TYPE text COLLATE "C";
ALTER TABLE t ALTER COLUMN b TYPE text COLLATE "C";

-- migrate:down
ALTER SEQUENCE s CACHE 1;
ALTER SEQUENCE s2 INCREMENT BY 1;
ALTER TABLE t ALTER COLUMN b TYPE text;
