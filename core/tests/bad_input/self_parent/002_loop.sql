-- revision: 002
-- down_revision: 002

-- migrate:up
SELECT 1;

-- migrate:down
SELECT 1;
