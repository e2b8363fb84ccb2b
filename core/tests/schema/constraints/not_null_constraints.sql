-- PostgreSQL 18's named NOT NULL constraints make the column NOT NULL; DEFAULT NULL is no
-- default.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int, b int DEFAULT NULL, CONSTRAINT a_nn NOT NULL a);
ALTER TABLE t ADD CONSTRAINT b_nn NOT NULL b;
