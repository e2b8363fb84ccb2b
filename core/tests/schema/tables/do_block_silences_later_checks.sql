-- After a DO block that runs DDL nothing is known: a later revision that alters `t` or drops a
-- missing index is no error.
-- file: 001_do_block.sql
-- revision: 001
-- down_revision: none

-- migrate:up
DO $$ BEGIN EXECUTE 'CREATE TABLE t (a int)'; END $$;

-- migrate:down

-- file: 002_alter.sql
-- revision: 002
-- down_revision: 001
-- irreversible: test

-- migrate:up
ALTER TABLE t ADD COLUMN b int; DROP INDEX nope;
