-- revision: 002
-- down_revision: 001
-- message: Demo plans for development and tests
-- environments: dev, test

-- migrate:up
INSERT INTO plans VALUES ('demo', 0), ('demo-pro', 1);

-- migrate:down
DELETE FROM plans WHERE name LIKE 'demo%';
