-- PostgreSQL's view follows the renamed table, so DROP … CASCADE of the new name drops it: the
-- model must not go on believing the view exists.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE a (id int);
CREATE VIEW v AS SELECT id FROM a;
ALTER TABLE a RENAME TO a2;
DROP TABLE a2 CASCADE;
