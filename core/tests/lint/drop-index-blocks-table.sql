-- DROP INDEX of an index on an earlier table fires; CONCURRENTLY is quiet; an index on a
-- table created in the same revision is quiet.
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
DROP INDEX users_n;

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- transaction: false
-- lossy_down: the case is about the up section

-- migrate:up
DROP INDEX CONCURRENTLY orders_total;

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
CREATE INDEX fresh_n ON fresh (n);
DROP INDEX fresh_n;

-- migrate:down
SELECT 1;

