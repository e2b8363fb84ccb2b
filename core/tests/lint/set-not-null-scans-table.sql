-- SET NOT NULL on an earlier table fires, also when the proving check is not yet validated;
-- after a CHECK (col IS NOT NULL) validated in an earlier revision it is quiet; new table, quiet.
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
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_total_nn CHECK (total IS NOT NULL) NOT VALID;

-- migrate:down
SELECT 1;

-- file: 003_quiet.sql
-- revision: 003
-- down_revision: 002
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_nn;

-- migrate:down
SELECT 1;

-- file: 004_new_table.sql
-- revision: 004
-- down_revision: 003
-- lossy_down: the case is about the up section

-- migrate:up
CREATE TABLE fresh (id bigint PRIMARY KEY, email varchar(50), name text, n int, user_id bigint, total int);
ALTER TABLE fresh ALTER COLUMN n SET NOT NULL;

-- migrate:down
SELECT 1;

-- file: 005_quiet_after_check.sql
-- revision: 005
-- down_revision: 004
-- lossy_down: the case is about the up section

-- migrate:up
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;

-- migrate:down
SELECT 1;

