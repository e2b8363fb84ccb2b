-- VALIDATE of a constraint added NOT VALID in the same transactional revision fires;
-- validating one added by an earlier revision is quiet; on a new table, quiet.
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
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
ALTER TABLE users ADD CONSTRAINT users_n_check CHECK (n > 0) NOT VALID;

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE users VALIDATE CONSTRAINT users_n_check;

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
ALTER TABLE fresh ADD CONSTRAINT fresh_n_check CHECK (n > 0) NOT VALID;
ALTER TABLE fresh VALIDATE CONSTRAINT fresh_n_check;

-- migrate:down
SELECT 1;

