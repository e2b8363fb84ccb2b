-- revision: 002
-- down_revision: 001
-- message: Index visits by time, without locking writes
-- transaction: false

-- migrate:up
-- CONCURRENTLY does not block the inserts of replicas already serving; PostgreSQL refuses it
-- in a transaction block, so the runner applies it statement by statement, recording each.
CREATE INDEX CONCURRENTLY visits_at_idx ON visits (at DESC);

-- migrate:down
DROP INDEX CONCURRENTLY visits_at_idx;
