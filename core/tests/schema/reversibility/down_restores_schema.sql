-- Down sections that bring the schema back to what it was before their up are clean (an `int4`
-- is an `integer`; an extension created IF NOT EXISTS may have been there).
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (id serial PRIMARY KEY, m mood);
CREATE INDEX t_m ON t (m);

-- migrate:down
DROP TABLE t; DROP TYPE mood;

-- file: 002_change_t.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE t ADD COLUMN email text NOT NULL DEFAULT ''; CREATE UNIQUE INDEX idx_user_email ON t (email);
ALTER TABLE t RENAME COLUMN m TO mm; ALTER TABLE t ALTER COLUMN id TYPE bigint;

-- migrate:down
DROP INDEX idx_user_email; ALTER TABLE t DROP COLUMN email; ALTER TABLE t RENAME COLUMN mm TO m; ALTER TABLE t ALTER COLUMN id TYPE int4;

-- file: 003_citext.sql
-- revision: 003
-- down_revision: 002

-- migrate:up
CREATE EXTENSION IF NOT EXISTS citext;

-- migrate:down
