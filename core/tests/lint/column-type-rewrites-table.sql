-- Type changes that rewrite an earlier table fire (int to bigint, narrowing varchar, a USING);
-- binary-coercible ones are quiet (varchar widened or to text, numeric precision widened,
-- cidr to inet); on a new table, quiet. timestamp to timestamptz rewrites unless the session's
-- time zone is UTC (PostgreSQL 12+), with or without a `USING` of the column itself.
-- retort.toml: statement_lock_timeout = 5
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(50), name text, n int, price numeric(10,2), net cidr);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int);
CREATE INDEX orders_total ON orders (total);
CREATE INDEX users_n ON users (n);

-- migrate:down
SELECT 1;

-- file: 002_fires.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE users ALTER COLUMN n TYPE bigint;
ALTER TABLE users ALTER COLUMN email TYPE varchar(20);
ALTER TABLE orders ALTER COLUMN total TYPE bigint USING total::bigint;

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE users ALTER COLUMN email TYPE varchar(100);
ALTER TABLE users ALTER COLUMN name TYPE varchar;
ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);
ALTER TABLE users ALTER COLUMN net TYPE inet;
ALTER TABLE users ALTER COLUMN email TYPE text;

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
ALTER TABLE fresh ALTER COLUMN n TYPE bigint;
CREATE TABLE events (at timestamp, seen timestamp);

-- migrate:down
SELECT 1;

-- file: 005_zone_not_utc.sql
-- revision: 005
-- down_revision: 004
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE events ALTER COLUMN at TYPE timestamptz;

-- migrate:down
SELECT 1;

-- file: 006_zone_utc.sql
-- revision: 006
-- down_revision: 005
-- lossy_down: the case is about the up section

-- migrate:up
SET LOCAL timezone = 'UTC';
ALTER TABLE events ALTER COLUMN seen TYPE timestamptz USING seen;

-- migrate:down
SELECT 1;

