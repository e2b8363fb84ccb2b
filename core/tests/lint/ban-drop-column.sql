-- Off by default; set to warn here. DROP COLUMN fires, unless a -- retort:allow marker with a reason silences it; an allow that silences nothing is a warning.
-- retort.toml: statement_lock_timeout = 5
-- retort.toml: [lints]
-- retort.toml: ban-drop-column = "warn"
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE a (x int, y int, z int);
ALTER TABLE a DROP COLUMN x;

-- migrate:down
SELECT 1;

-- file: 002_quiet.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the case is about the up section

-- migrate:up
-- retort:allow ban-drop-column no release reads `y` since 1.4
ALTER TABLE a DROP COLUMN y;
-- retort:allow ban-drop-column nothing to drop here
SELECT 1;

-- migrate:down
SELECT 1;

