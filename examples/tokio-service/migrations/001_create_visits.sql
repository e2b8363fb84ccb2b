-- revision: 001
-- down_revision: none
-- message: Create visits

-- migrate:up
CREATE TABLE visits (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    path text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE visits;
