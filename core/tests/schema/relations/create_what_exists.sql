-- Creating a table, column, index, type or enum value that exists is an error; the message says
-- where it was created.
-- file: 001_create.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int);
CREATE INDEX i ON t (a);
CREATE TYPE e AS ENUM ('x');

-- file: 002_create_again.sql
-- revision: 002
-- down_revision: 001
-- irreversible: test

-- migrate:up
CREATE TABLE t (b int);
ALTER TABLE t ADD COLUMN a int;
CREATE INDEX i ON t (a);
CREATE TYPE e AS ENUM ('y');
ALTER TYPE e ADD VALUE 'x';
