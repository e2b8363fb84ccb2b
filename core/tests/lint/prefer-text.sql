-- Off by default; set to warn here. varchar(n) fires; text and varchar without a limit are quiet.
-- retort.toml: statement_lock_timeout = 5
-- retort.toml: [lints]
-- retort.toml: prefer-text = "warn"
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE a (name varchar(100), code character varying(3));

-- migrate:down
SELECT 1;

-- file: 002_quiet.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE b (name text, other varchar);

-- migrate:down
SELECT 1;

