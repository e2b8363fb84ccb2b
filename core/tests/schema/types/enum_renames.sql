-- Renaming an enum value and the enum type: the columns of the type (and of its array) follow.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE t (m mood, ms mood[]);
ALTER TYPE mood RENAME VALUE 'a' TO 'aa';
ALTER TYPE mood RENAME TO feeling;
