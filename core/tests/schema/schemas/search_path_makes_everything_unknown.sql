-- Setting the search path makes everything unknown.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int); SELECT set_config('search_path', 'app', false);
