-- revision: 002
-- down_revision: 001
-- message: Audit changes to users

-- migrate:up
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL,
    operation  text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- A `;` inside the body does not end the statement.
CREATE FUNCTION log_user_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (user_id, operation) VALUES (NEW.id, TG_OP);
    RETURN NEW;
END;
$$;

CREATE FUNCTION full_name_of(first text, last text) RETURNS text
IMMUTABLE LANGUAGE sql AS $body$ SELECT first || ' ' || last; $body$;

CREATE TRIGGER users_audit
    AFTER INSERT OR UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION log_user_change();

-- migrate:down
DROP TRIGGER users_audit ON users;
DROP FUNCTION full_name_of(text, text);
DROP FUNCTION log_user_change();
DROP TABLE audit_log;
