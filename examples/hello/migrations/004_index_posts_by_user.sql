-- revision: 004
-- down_revision: 003
-- message: Index posts by author, without locking writes
-- transaction: false

-- migrate:up
-- CONCURRENTLY builds the index without blocking inserts into a busy table;
-- PostgreSQL refuses it inside a transaction block, hence `transaction: false`.
CREATE INDEX CONCURRENTLY posts_user_id_published_at_idx
    ON posts (user_id, published_at DESC);

-- migrate:down
DROP INDEX CONCURRENTLY posts_user_id_published_at_idx;
