-- An enum value added by up is left by a down that does not recreate the type.
-- file: 001_create_mood.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TYPE mood AS ENUM ('a');

-- migrate:down
DROP TYPE mood;

-- file: 002_add_value.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TYPE mood ADD VALUE 'b';

-- migrate:down
