-- After the table a view reads is renamed and dropped with CASCADE, creating the view again is
-- no false "already exists".
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE a (id int);
CREATE VIEW v AS SELECT id FROM a;
ALTER TABLE a RENAME TO a2;
DROP TABLE a2 CASCADE;
CREATE VIEW v AS SELECT 1;
