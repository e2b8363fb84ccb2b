-- revision: 002
-- down_revision: 001

-- migrate:up
COMMENT ON TABLE users IS 'café';

-- migrate:down
COMMENT ON TABLE users IS NULL;
