-- ALTER COLUMN … DROP DEFAULT and SET DEFAULT.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int DEFAULT 1, b int);
ALTER TABLE t ALTER COLUMN a DROP DEFAULT, ALTER COLUMN b SET DEFAULT 2 + 2;
