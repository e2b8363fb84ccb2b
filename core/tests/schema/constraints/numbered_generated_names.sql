-- A column renamed away keeps its foreign key's generated name; a new column of the old
-- name gets the next free one, numbered as PostgreSQL numbers it (`job_pipeline_id_fkey1`),
-- and the printed DDL names it so (a database built by these migrations has that name).
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE pipeline (id bigint PRIMARY KEY);
CREATE TABLE job (id bigint PRIMARY KEY, pipeline_id bigint REFERENCES pipeline (id));

-- migrate:down
DROP TABLE job;
DROP TABLE pipeline;

-- file: 002_cascade.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: the old column is not brought back

-- migrate:up
ALTER TABLE job RENAME COLUMN pipeline_id TO pipeline_id_old;
ALTER TABLE job ADD COLUMN pipeline_id bigint REFERENCES pipeline (id) ON DELETE CASCADE;
ALTER TABLE job DROP COLUMN pipeline_id_old;

-- migrate:down
