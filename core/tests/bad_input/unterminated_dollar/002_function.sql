-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := lower(NEW.name);
  RETURN NEW;
END;

-- migrate:down
DROP FUNCTION touch();
