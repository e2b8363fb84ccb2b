-- Off by default; set to warn here. timestamp without a time zone fires; timestamptz is quiet.
-- retort.toml: statement_lock_timeout = 5
-- retort.toml: [lints]
-- retort.toml: prefer-timestamptz = "warn"
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE a (at timestamp, b timestamp(3) without time zone);

-- migrate:down
SELECT 1;

-- file: 002_quiet.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE b (at timestamptz, c timestamp with time zone);

-- migrate:down
SELECT 1;

