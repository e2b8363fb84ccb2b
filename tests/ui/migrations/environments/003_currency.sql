-- revision: 003
-- down_revision: 002

-- migrate:up
ALTER TABLE plans ADD COLUMN currency text NOT NULL DEFAULT 'EUR';

-- migrate:down
ALTER TABLE plans DROP COLUMN currency;
