-- Statements that lock an earlier table ACCESS EXCLUSIVE without a timeout fire; after
-- SET LOCAL lock_timeout, or with a weaker lock (VALIDATE, a foreign key), quiet; SET LOCAL in
-- a transaction: false revision does nothing; on a new table, quiet.
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
ALTER TABLE users ADD COLUMN nickname text;
TRUNCATE orders;
LOCK TABLE users;
DROP INDEX users_n;

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- lossy_down: the case is about the up section

-- migrate:up
SET LOCAL lock_timeout = '5s';
ALTER TABLE users ADD COLUMN bio text;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
ALTER TABLE fresh ADD COLUMN nickname text;
DROP TABLE fresh;

-- migrate:down
SELECT 1;

-- file: 005_local_outside_transaction.sql
-- revision: 005
-- down_revision: 004
-- transaction: false
-- lossy_down: the case is about the up section

-- migrate:up
SET LOCAL lock_timeout = '5s';
ALTER TABLE users ADD COLUMN motto text;

-- migrate:down
SELECT 1;

-- file: 006_session_timeout.sql
-- revision: 006
-- down_revision: 005
-- transaction: false
-- lossy_down: the case is about the up section

-- migrate:up
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN slogan text;

-- migrate:down
SELECT 1;

