-- revision: 001
-- down_revision: none
-- transaction: false

-- migrate:up
CREATE INDEX CONCURRENTLY i ON users (lower(name)) WHERE name <> '';
-- retort:unchecked vendor syntax
SELECT 1;

-- migrate:down
DROP INDEX CONCURRENTLY i;
