-- A new enum value may be used after its transaction commits: in a later revision, or in a
-- `transaction: false` revision (each statement commits on its own).
-- file: 001_moods.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE posts (id int, mood mood);

-- file: 002_great.sql
-- revision: 002
-- down_revision: 001
-- irreversible: test

-- migrate:up
ALTER TYPE mood ADD VALUE 'great';

-- file: 003_use_great.sql
-- revision: 003
-- down_revision: 002
-- irreversible: test

-- migrate:up
INSERT INTO posts (id, mood) VALUES (1, 'great');
UPDATE posts SET mood = 'great'::mood;

-- file: 004_fine_outside.sql
-- revision: 004
-- down_revision: 003
-- transaction: false
-- irreversible: test

-- migrate:up
ALTER TYPE mood ADD VALUE 'fine';
INSERT INTO posts (id, mood) VALUES (2, 'fine');
