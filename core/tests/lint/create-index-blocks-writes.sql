-- CREATE INDEX on a table of an earlier revision fires; CONCURRENTLY in a `transaction: false`
-- revision is quiet; on a table created in the same revision it is quiet.
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
CREATE INDEX users_email ON users (email);

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- transaction: false
-- lossy_down: the case is about the up section

-- migrate:up
CREATE INDEX CONCURRENTLY users_name ON users (name);

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
CREATE INDEX fresh_email ON fresh (email);

-- migrate:down
SELECT 1;

