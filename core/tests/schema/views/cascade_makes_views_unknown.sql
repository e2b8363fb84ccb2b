-- DROP … CASCADE: the views on the table may be gone, so they are unknown and creating one again
-- is no error.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; DROP TABLE t CASCADE; CREATE VIEW v AS SELECT 1;
