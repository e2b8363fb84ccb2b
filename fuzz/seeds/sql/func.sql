CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := 'a;b';
  RETURN NEW;
END;
$$;
/* block; comment */
DO $x$ BEGIN PERFORM 1; END $x$;
