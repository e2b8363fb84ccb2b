-- revision: 003
-- down_revision: 002
-- message: Create posts

-- migrate:up
CREATE TABLE posts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        text NOT NULL CHECK (title <> ''),
    body         text NOT NULL DEFAULT '',
    published_at timestamptz
);

-- migrate:down
DROP TABLE posts;
