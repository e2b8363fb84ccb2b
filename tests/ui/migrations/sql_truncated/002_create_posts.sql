-- revision: 002
-- down_revision: 001
-- message: Create posts

-- migrate:up
CREATE TABLE posts (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    title text NOT NULL,
);

ALTER TABLE users ADD COLUMN email;

CREATE INDEX posts_user_id_idx ON posts;

-- migrate:down
DROP INDEX posts_user_id_idx;
ALTER TABLE users DROP COLUMN;
DROP TABLE posts;
