-- Off by default; set to warn here. serial columns fire; identity columns are quiet.
-- retort.toml: statement_lock_timeout = 5
-- retort.toml: [lints]
-- retort.toml: prefer-identity = "warn"
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE a (id bigserial PRIMARY KEY);
ALTER TABLE a ADD COLUMN n serial4;

-- migrate:down
SELECT 1;

-- file: 002_quiet.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE b (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);

-- migrate:down
SELECT 1;

