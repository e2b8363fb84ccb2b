-- revision: 002
-- down_revision: 001
-- message: Add a legacy column and an audit log

-- migrate:up
ALTER TABLE people ADD COLUMN legacy text;

CREATE SCHEMA audit;
CREATE TABLE audit.events (
    id serial PRIMARY KEY,
    person bigint REFERENCES people (id),
    what text NOT NULL
);

-- migrate:down
DROP TABLE audit.events;
DROP SCHEMA audit;
ALTER TABLE people DROP COLUMN legacy;
