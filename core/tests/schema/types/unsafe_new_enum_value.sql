-- A value added to an existing enum type cannot be used in the transaction that added it:
-- cast to the type, as a column's default (added or set), written by an INSERT or an UPDATE. A string that
-- is not the type's (`SELECT 'great'`, a text column) and the type's old values are fine.
-- file: 001_moods.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE TABLE posts (id int, mood mood, note text);

-- file: 002_great.sql
-- revision: 002
-- down_revision: 001
-- irreversible: test

-- migrate:up
ALTER TYPE mood ADD VALUE 'great' BEFORE 'meh';
SELECT 'great', 'ok'::mood;
INSERT INTO posts (id, note, mood) VALUES (1, 'great', 'great'), (2, 'x', 'ok');
UPDATE posts SET mood = 'great'::mood WHERE id = 2;
UPDATE posts SET note = 'great', mood = 'great' WHERE id = 2;
ALTER TABLE posts ALTER COLUMN mood SET DEFAULT 'great';
ALTER TABLE posts ADD COLUMN later public.mood DEFAULT 'great';
CREATE TABLE reviews (id int, mood mood DEFAULT 'great', note text DEFAULT 'great');
SELECT CAST('great' AS mood);
