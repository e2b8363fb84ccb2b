-- Off by default; set to warn here. 32- and 16-bit integer columns fire, on any table; bigint is quiet.
-- retort.toml: statement_lock_timeout = 5
-- retort.toml: [lints]
-- retort.toml: prefer-bigint = "warn"
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE a (id serial PRIMARY KEY, n integer, s smallint);

-- migrate:down
SELECT 1;

-- file: 002_quiet.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE b (id bigint PRIMARY KEY);
ALTER TABLE a ADD COLUMN m bigint;

-- migrate:down
SELECT 1;

