-- ADD UNIQUE and ADD PRIMARY KEY on an earlier table fire; USING INDEX of an index built
-- concurrently is quiet; on a new table, quiet.
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
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE orders DROP CONSTRAINT orders_pkey;
ALTER TABLE orders ADD PRIMARY KEY (id);

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- transaction: false
-- lossy_down: the case is about the up section

-- migrate:up
CREATE UNIQUE INDEX CONCURRENTLY users_name_key ON users (name);

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
ALTER TABLE fresh ADD CONSTRAINT fresh_email_key UNIQUE (email);

-- migrate:down
SELECT 1;

-- file: 005_using_index.sql
-- revision: 005
-- down_revision: 004
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE USING INDEX users_name_key;

-- migrate:down
SELECT 1;

