-- revision: 001
-- down_revision: none
-- message: Create people

-- migrate:up
CREATE TYPE mood AS ENUM ('happy', 'sad');

CREATE TABLE people (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    nickname varchar(40),
    age integer,
    level smallint NOT NULL DEFAULT 1,
    active boolean NOT NULL DEFAULT true,
    avatar bytea,
    ratio double precision,
    weight real,
    born timestamptz,
    seen timestamp,
    birthday date,
    wakes time,
    token uuid,
    profile jsonb,
    mood mood,
    tags text[],
    scores int[] NOT NULL DEFAULT '{}',
    "E-mail" text,
    "type" text
);

-- migrate:down
DROP TABLE people;
DROP TYPE mood;
