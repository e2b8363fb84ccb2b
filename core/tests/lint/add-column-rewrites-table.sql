-- Columns added to an earlier table with a volatile default, a serial, an identity or a stored
-- generated value fire; constant and stable defaults are quiet; on a new table, quiet.
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
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE users ADD COLUMN seq bigserial;
ALTER TABLE users ADD COLUMN ident bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE users ADD COLUMN n2 int GENERATED ALWAYS AS (n * 2) STORED;
ALTER TABLE users ADD COLUMN r float8 DEFAULT random();

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE users ADD COLUMN created timestamptz NOT NULL DEFAULT now();
ALTER TABLE users ADD COLUMN kind text DEFAULT 'plain';
ALTER TABLE users ADD COLUMN note text;

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
ALTER TABLE fresh ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- migrate:down
SELECT 1;

