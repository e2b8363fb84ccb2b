-- CASCADE makes the views that use the object unknown (and the views on them), and no others:
-- dropping `w` after renaming it is still an error.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int);
CREATE VIEW v AS SELECT a FROM t;
CREATE VIEW vv AS SELECT * FROM v;
CREATE VIEW w AS SELECT 1 AS x;
DROP TABLE t CASCADE;
DROP VIEW v;
DROP VIEW vv;
ALTER VIEW w RENAME TO w2;
DROP VIEW w;
