-- A renamed enum value renames a default of the type (`x`, `y`), not a string default of another
-- type (`z`); a check that mentions it is no longer kept.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TYPE m AS ENUM ('a', 'b');
CREATE TABLE t (x m DEFAULT 'a', y m DEFAULT 'a'::m, z text DEFAULT 'a', CONSTRAINT t_x_ck CHECK (x <> 'a'));
ALTER TYPE m RENAME VALUE 'a' TO 'c';
