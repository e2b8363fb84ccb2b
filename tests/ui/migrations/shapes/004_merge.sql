-- revision: 004
-- down_revision: 002, 003
-- message: Merge the audit and index branches

-- migrate:up

-- migrate:down
